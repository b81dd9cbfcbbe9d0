#!/usr/bin/env bash
# Ingest load over loopback: the same TSBS cpu line protocol, 5,000-line batches, N concurrent writers, durable
# acknowledgements, against tsdb and against InfluxDB 1.6.7 (Debian package `influxdb`) in the same run.
# usage: bench/ingest-comparison.sh [LINES] [WRITERS]     (defaults: 1000000 4)
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
WRITERS=${2:-4}
WORK=$(mktemp -d /tmp/tsdb-ingest-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
ensure_influxdb
dotnet build src/Tsdb.Cli -c Release --nologo -v quiet
dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet
LOADGEN="dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --writers $WRITERS --lines $LINES"


echo "== tsdb"
dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll serve --without-auth --http-bind 127.0.0.1:18181 --data-dir "$WORK/tsdb" >"$WORK/tsdb.log" 2>&1 &
TSDB_PID=$!
wait_for http://127.0.0.1:18181/health
$LOADGEN --url "http://127.0.0.1:18181/api/v3/write_lp?db=bench&precision=ns" --pid "$TSDB_PID" --label "tsdb (/api/v3/write_lp)"
$LOADGEN --url "http://127.0.0.1:18181/write?db=bench1" --pid "$TSDB_PID" --label "tsdb (/write, v1)"
du -sh "$WORK/tsdb/wal" | sed 's/^/tsdb WAL size: /'
kill "$TSDB_PID"; wait "$TSDB_PID" || true

echo "== InfluxDB $(influxd version | head -1)"
start_influxdb ""
$LOADGEN --url "http://127.0.0.1:18086/write?db=bench" --pid "$INFLUX_PID" --label "InfluxDB 1.6.7 (/write)"
kill "$INFLUX_PID"; wait "$INFLUX_PID" || true
