#!/usr/bin/env bash
# What a query node adds to a one-series query by pulling the ingest node's buffered rows over Flight: the same data
# (1,000 series x 60 points, all still buffered) on a single server and on a 1 ingest + 1 query cluster sharing a file
# object store on this machine; N queries of one series each, sequentially, p50/p90 from curl's timings. Then query
# throughput with 1 and 2 query nodes (C concurrent clients for D seconds) over the same cluster, and write throughput
# (line protocol, 10,000-line bodies) into 1 and 2 ingest nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300}; C=${C:-8}; D=${D:-15}
dotnet build src/Tsdb.Cli -c Release -v q >/dev/null
TSDB="dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll serve --without-auth --persist-age 1h"
dir=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
$TSDB --http-bind 127.0.0.1:27601 --data-dir "$dir/single" >"$dir/single.log" 2>&1 &
$TSDB --http-bind 127.0.0.1:27602 --data-dir "$dir/i1" --mode ingest --node-id i1 --object-store-dir "$dir/store" >"$dir/i1.log" 2>&1 &
sleep 8
$TSDB --http-bind 127.0.0.1:27603 --data-dir "$dir/q1" --mode query --node-id q1 --object-store-dir "$dir/store" >"$dir/q1.log" 2>&1 &
$TSDB --http-bind 127.0.0.1:27604 --data-dir "$dir/q2" --mode query --node-id q2 --object-store-dir "$dir/store" >"$dir/q2.log" 2>&1 &
$TSDB --http-bind 127.0.0.1:27605 --data-dir "$dir/i2" --mode ingest --node-id i2 --object-store-dir "$dir/store" >"$dir/i2.log" 2>&1 &
sleep 10
now=$(date +%s)
python3 - "$now" >"$dir/data.lp" <<'PY'
import sys
now=int(sys.argv[1])
for h in range(1000):
    for p in range(60):
        print(f"cpu,host=h{h},region=r{h%10} usage={(h*7+p)%100}.5,idle={p}i {(now-3600+p*60)*1000000000}")
PY
for port in 27601 27602; do
  curl -sf -XPOST "http://127.0.0.1:$port/api/v3/write_lp?db=bench&precision=ns" --data-binary @"$dir/data.lp"
done
q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("SELECT time, usage FROM cpu WHERE host = '"'"'h17'"'"' ORDER BY time"))')
latency() {
  local port=$1
  for _ in $(seq 20); do curl -s -o /dev/null "http://127.0.0.1:$port/api/v3/query_sql?db=bench&q=$q"; done
  for _ in $(seq "$N"); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/v3/query_sql?db=bench&q=$q"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "p50 %.2f ms  p90 %.2f ms\n", a[int(NR*0.5)]*1000, a[int(NR*0.9)]*1000}'
}
echo "one-series query, $N sequential requests (load average $(cut -d' ' -f1 /proc/loadavg))"
echo "  single server:            $(latency 27601)"
echo "  query node (pulls i1):    $(latency 27603)"
throughput() {
  local end=$((SECONDS + D)); local count=0
  for c in $(seq "$C"); do
    ( n=0; ports=("$@"); while [ $SECONDS -lt $end ]; do p=${ports[$((n % ${#ports[@]}))]}; curl -s -o /dev/null "http://127.0.0.1:$p/api/v3/query_sql?db=bench&q=$q"; n=$((n+1)); done; echo $n ) &
  done | awk -v d="$D" '{s+=$1} END {printf "%.0f queries/s\n", s/d}'
}
echo "throughput, $C clients for $D s:"
echo "  1 query node:  $(throughput 27603)"
echo "  2 query nodes: $(throughput 27603 27604)"

head -n 10000 "$dir/data.lp" | sed 's/^cpu,/w,/' >"$dir/body.lp"
writes() {
  local end=$((SECONDS + D))
  for c in $(seq "$C"); do
    ( n=0; ports=("$@"); while [ $SECONDS -lt $end ]; do p=${ports[$((n % ${#ports[@]}))]}; curl -sf -o /dev/null -XPOST "http://127.0.0.1:$p/api/v3/write_lp?db=bench&precision=ns" --data-binary @"$dir/body.lp"; n=$((n+1)); done; echo $n ) &
  done | awk -v d="$D" '{s+=$1} END {printf "%.0f lines/s\n", s*10000/d}'
}
echo "writes, $C clients for $D s (10,000 lines a request):"
echo "  1 ingest node:  $(writes 27602)"
echo "  2 ingest nodes: $(writes 27602 27605)"
