#!/usr/bin/env bash
# TSBS query types on TSBS cpu data: tsdb (HTTP /api/v3/query_sql) against DuckDB reading the same Parquet files,
# in the same run. Loads LINES rows (default 10,000,000 = 100 M field values, 1,000 hosts, ~28 h of 10 s points),
# persists and compacts them, then times each query (median and p90 of 20 runs after 2 warm-ups).
# usage: [RUNS=20] [ONLY=a,b] [PORT=18181] bench/query-comparison.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-10000000}
PORT=${PORT:-18181}
WORK=$(mktemp -d /tmp/tsdb-query-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
(cd tests/interop && npm install --no-audit --no-fund --silent)
dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null
dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet >/dev/null

dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll serve --without-auth --http-bind 127.0.0.1:$PORT --data-dir "$WORK/tsdb" \
  --persist-age 1000h >"$WORK/tsdb.log" 2>&1 &
TSDB_PID=$!
wait_for http://127.0.0.1:$PORT/health
dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --writers 4 --lines "$LINES" --hosts 1000 --warmup-lines 0 \
  --url "http://127.0.0.1:$PORT/api/v3/write_lp?db=bench&precision=ns" --label load >/dev/null
curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/persist >/dev/null
curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/compact >/dev/null
DBS=$(dirname "$(find "$WORK/tsdb" -type d -name dbs -print -quit)")/dbs
echo "Parquet files: $(find "$DBS" -name "*.parquet" | wc -l), $(du -sh "$DBS" | cut -f1)"
node bench/query-comparison.mjs --url http://127.0.0.1:$PORT --db bench --store-root "$(dirname "$DBS")" --runs "${RUNS:-20}" ${ONLY:+--only "$ONLY"}
echo "tsdb peak RSS: $(grep VmHWM /proc/$TSDB_PID/status | awk '{print $2/1024 " MiB"}')"
kill "$TSDB_PID"; wait "$TSDB_PID" || true
