#!/usr/bin/env bash
# Persistence on TSBS cpu data: how fast a persist turns buffered rows into Parquet, and how many bytes a stored
# value takes after compaction — side by side with InfluxDB 1.6.7's TSM files for the same lines.
# usage: bench/persist-comparison.sh [LINES]      (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
WORK=$(mktemp -d /tmp/tsdb-persist-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
ensure_influxdb
dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null
dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet >/dev/null
LOADGEN="dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --writers 4 --lines $LINES --warmup-lines 0"
VALUES=$((LINES * 10))

echo "== tsdb"
dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll serve --without-auth --http-bind 127.0.0.1:18181 --data-dir "$WORK/tsdb" \
  --persist-buffer-size 100GiB --persist-age 1000h >"$WORK/tsdb.log" 2>&1 &
TSDB_PID=$!
wait_for http://127.0.0.1:18181/health
$LOADGEN --url "http://127.0.0.1:18181/api/v3/write_lp?db=bench&precision=ns" --label "load" >/dev/null
START=$(date +%s.%N)
curl -sf -XPOST http://127.0.0.1:18181/api/v3/persist
END=$(date +%s.%N)
echo
curl -sf -XPOST http://127.0.0.1:18181/api/v3/compact >/dev/null
BYTES=$(du -sb "$WORK/tsdb/dbs" | cut -f1)
awk -v l="$LINES" -v s="$START" -v e="$END" -v b="$BYTES" -v v="$VALUES" 'BEGIN {
  printf "tsdb: persist of %d rows took %.2f s = %.0f rows/s; Parquet after compaction %d bytes = %.3f bytes per field value\n", l, e - s, l / (e - s), b, b / v }'
kill "$TSDB_PID"; wait "$TSDB_PID" || true

echo "== InfluxDB $(influxd version | head -1)"
start_influxdb '  cache-snapshot-write-cold-duration = "1s"
  compact-full-write-cold-duration = "2s"'
$LOADGEN --url "http://127.0.0.1:18086/write?db=bench" --label "load" >/dev/null
# Let the cache snapshot to TSM and the full compaction run (cold durations of 1–2 s above).
for _ in $(seq 1 60); do
  sleep 2
  WAL=$(find "$WORK/influx/wal" -name '*.wal' -size +0 | wc -l)
  [ "$WAL" -eq 0 ] && break
done
sleep 10
BYTES=$(find "$WORK/influx/data" -name '*.tsm' -printf '%s\n' | awk '{s+=$1} END {print s}')
awk -v b="$BYTES" -v v="$VALUES" 'BEGIN { printf "InfluxDB 1.6.7: TSM files after compaction %d bytes = %.3f bytes per field value\n", b, b / v }'
kill "$INFLUX_PID"; wait "$INFLUX_PID" || true
