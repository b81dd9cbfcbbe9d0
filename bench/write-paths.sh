#!/usr/bin/env bash
# The three write protocols against one tsdb, each into a fresh database, in one run: line protocol (/api/v3/write_lp,
# TSBS cpu, 5,000-line batches), Prometheus remote write 1.0 (2,000 samples per request) and Flight DoPut (Arrow
# batches of 50,000 rows: time, a dictionary tag, 10 float64 fields; apache-arrow from tests/interop). Every write is
# acknowledged after its WAL fsync. Used to compare write-path changes: run it on the build before and after.
# usage: bench/write-paths.sh [TSDB_DLL] [LINES] [WRITERS] [DOPUT_ROWS]
#        (defaults: this tree's Release build, 1000000, 4, 300000; port 27681)
set -euo pipefail
cd "$(dirname "$0")/.."
TSDB=${1:-src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll}
LINES=${2:-1000000}
WRITERS=${3:-4}
ROWS=${4:-300000}
PORT=27681
WORK=$(mktemp -d /tmp/tsdb-write-paths.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. bench/lib.sh
[ -f bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll ] || dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet
LOADGEN="dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --writers $WRITERS --lines $LINES --warmup-lines $LINES"
dotnet "$TSDB" serve --without-auth --http-bind 127.0.0.1:$PORT --data-dir "$WORK/tsdb" >"$WORK/tsdb.log" 2>&1 &
PID=$!
wait_for http://127.0.0.1:$PORT/health
$LOADGEN --url "http://127.0.0.1:$PORT/api/v3/write_lp?db=lp&precision=ns" --pid "$PID" --label "line protocol (/api/v3/write_lp)"
$LOADGEN --format remote-write --hosts 100 --url "http://127.0.0.1:$PORT/api/v1/write?db=rw" --pid "$PID" --label "remote write 1.0 (/api/v1/write)"
# apache-arrow lives in tests/interop/node_modules (npm install there); the script resolves it from its own folder.
for run in 1 2 3; do node tests/interop/flight/doput-bench.mjs 127.0.0.1:$PORT "$ROWS" | sed "s/^/DoPut run $run: /"; done
kill "$PID"; wait "$PID" || true
