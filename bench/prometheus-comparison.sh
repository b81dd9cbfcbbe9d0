#!/usr/bin/env bash
# Prometheus remote-write ingest and PromQL query_range latency over loopback, tsdb and Prometheus 2.42 (Debian
# package `prometheus`, its own remote-write receiver) side by side in the same run. The load generator sends
# remote-write 1.0 (2,000 samples per request, node-exporter-like series) with N concurrent writers; then each
# query_range is timed against both servers, straight after the ingest and again warm (below).
# usage: bench/prometheus-comparison.sh [SAMPLES] [WRITERS] [HOSTS] [REPEAT]     (defaults: 2000000 4 5000 20)
#        WARM_SECONDS=5 (untimed keep-alive runs of each query before its warm timings, at most 20,000)
#        HISTOGRAMS=1: native histogram samples instead (the load generator's remote-write-histograms: integer
#        histograms of about 20 buckets, 4 series per host), Prometheus with --enable-feature=native-histograms, and
#        histogram queries
#        TIME_QUERIES=0: the ingest only
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-2000000}
WRITERS=${2:-4}
HOSTS=${3:-5000}
REPEAT=${4:-20}
WORK=$(mktemp -d /tmp/tsdb-prom-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
if ! command -v prometheus >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends prometheus >/dev/null
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dotnet build src/Tsdb.Cli -c Release --nologo -v quiet
dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet
NOW=$(date +%s)
# Both servers get the same samples (same first timestamp, ten minutes ago). After the warm-up the load generator
# pauses 2 s before the timed phase, so a JIT-compiled server can finish compiling what the warm-up made hot (a
# long-running server has); without it the timed phase measured partly tier-0 / instrumented code.
HISTOGRAMS=${HISTOGRAMS:-0}
FORMAT=remote-write
PROM_FLAGS=()
if [ "$HISTOGRAMS" = 1 ]; then
  FORMAT=remote-write-histograms
  PROM_FLAGS=(--enable-feature=native-histograms)
fi
LOADGEN="dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --format $FORMAT --writers $WRITERS --lines $SAMPLES --hosts $HOSTS --warmup-lines 200000 --warmup-pause-ms 2000 --start-ms $(( (NOW - 600) * 1000 ))"
START=$((NOW - 600))
END=$((NOW + 600))

QUERIES=(
  'sum by (mode) (rate(node_cpu_seconds_total[1m]))'
  'node_memory_bytes{instance="host-7:9100"}'
  'max by (region) (node_load1)'
  'topk(5, rate(node_network_receive_bytes_total[5m]))'
)
if [ "$HISTOGRAMS" = 1 ]; then
  QUERIES=(
    'histogram_quantile(0.9, sum by (region) (rate(http_request_duration_seconds[1m])))'
    'histogram_count(rate(http_request_duration_seconds{instance="host-7:9100"}[1m]))'
  )
fi
# time_queries BASE_URL LABEL: per query, median and p90 (ms) of REPEAT curl runs (a new connection each) straight
# after the ingest ("first runs"); then WARM_SECONDS of untimed runs over one keep-alive connection, and the "warm"
# timings: REPEAT curl runs, and REPEAT x 10 runs over a keep-alive connection (how Grafana's pooled client asks).
# Warm is the long-running server that answers the same dashboards over and over: tsdb's JIT-compiled code needs a
# few thousand runs of a query (2-3 s of them) to be fully optimised (tiered compilation with PGO); Prometheus is
# compiled ahead of time and does not change.
WARM_SECONDS=${WARM_SECONDS:-5}
summarize() { sort -n | awk -v label="$1" -v q="$2" -v s="$3" '{ t[NR] = $1 } END { printf "%s | %s | series, points %s | median %.2f ms | p90 %.2f ms\n", label, q, s, t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.9 + 0.5)] * 1000 }'; }
# keepalive URL QUERY SECONDS MAX: runs the query_range over one connection for SECONDS (at most MAX runs); prints
# each run's seconds when SECONDS is 0 (then exactly MAX runs).
keepalive() {
  python3 - "$@" "$START" "$END" <<'PY'
import http.client, sys, time, urllib.parse
url, query, seconds, count, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
host = urllib.parse.urlsplit(url).netloc
path = "/api/v1/query_range?" + urllib.parse.urlencode({"query": query, "start": start, "end": end, "step": 15})
connection = http.client.HTTPConnection(host)
until, runs = time.perf_counter() + seconds, 0
while runs < count and (seconds == 0 or time.perf_counter() < until):
    began = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"{url}: HTTP {response.status}")
    runs += 1
    if seconds == 0:
        print(time.perf_counter() - began)
if seconds > 0:
    print(runs)
PY
}
time_queries() {
  for q in "${QUERIES[@]}"; do
    run() { curl -sf -G "$1/api/v1/query_range" --data-urlencode "query=$q" -d "start=$START" -d "end=$END" -d step=15 "${@:2}"; }
    run "$1" -o "$WORK/out.json"
    series=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["data"]["result"]), sum(len(s["values"]) for s in d["data"]["result"]))' "$WORK/out.json")
    for _ in $(seq 1 "$REPEAT"); do run "$1" -o /dev/null -w '%{time_total}\n'; done | summarize "$2 first runs, curl" "$q" "$series"
    warm=$(keepalive "$1" "$q" "$WARM_SECONDS" 20000)
    for _ in $(seq 1 "$REPEAT"); do run "$1" -o /dev/null -w '%{time_total}\n'; done | summarize "$2 warm ($warm untimed runs before), curl" "$q" "$series"
    keepalive "$1" "$q" 0 $((REPEAT * 10)) | summarize "$2 warm, keep-alive" "$q" "$series"
  done
}

echo "== tsdb"
TSDB_PORT=$(free_port)
dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll serve --without-auth --http-bind 127.0.0.1:$TSDB_PORT --data-dir "$WORK/tsdb" >"$WORK/tsdb.log" 2>&1 &
TSDB_PID=$!
wait_for http://127.0.0.1:$TSDB_PORT/health
# No ?db=: the default database "prometheus", which the query API also reads by default.
$LOADGEN --url "http://127.0.0.1:$TSDB_PORT/api/v1/write" --pid "$TSDB_PID" --label "tsdb /api/v1/write"
curl -sf -XPOST "http://127.0.0.1:$TSDB_PORT/api/v3/persist" >/dev/null
du -sh "$WORK/tsdb" | sed 's/^/tsdb data dir: /'

echo "== Prometheus $(prometheus --version 2>&1 | head -1)"
PROM_PORT=$(free_port)
printf 'global:\n  scrape_interval: 15s\n' >"$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" --storage.tsdb.retention.time=100y \
  --web.listen-address=127.0.0.1:$PROM_PORT --web.enable-remote-write-receiver "${PROM_FLAGS[@]}" >"$WORK/prom.log" 2>&1 &
PROM_PID=$!
wait_for http://127.0.0.1:$PROM_PORT/-/ready
$LOADGEN --url "http://127.0.0.1:$PROM_PORT/api/v1/write" --pid "$PROM_PID" --label "Prometheus 2.42 /api/v1/write"
du -sh "$WORK/prom" | sed 's/^/prometheus data dir: /'

if [ "${TIME_QUERIES:-1}" = 0 ]; then
  kill "$TSDB_PID" "$PROM_PID"; wait || true
  exit 0
fi
echo "== query_range, $START to $END step 15 s, $REPEAT runs each (after the ingest: tsdb persisted to Parquet, Prometheus in its head block)"
time_queries "http://127.0.0.1:$TSDB_PORT" "tsdb"
time_queries "http://127.0.0.1:$PROM_PORT" "Prometheus 2.42"
kill "$TSDB_PID" "$PROM_PID"; wait || true
