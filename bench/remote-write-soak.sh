#!/usr/bin/env bash
# Remote-write soak: RUNS back-to-back load-generator runs of SAMPLES samples each (100,000 series with the default
# HOSTS), each 300 s of data later than the one before, against one `tsdb serve` with its defaults (persistence runs as
# configured). After each run: throughput and latency, the server's RSS and peak RSS, the Parquet files so far, and
# the time of a query over the hour of data. Extra environment for the server (e.g. DOTNET_GCConserveMemory=0) goes
# in SERVER_ENV.
# usage: bench/remote-write-soak.sh [RUNS] [SAMPLES] [HOSTS]     (defaults: 12 2000000 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-12}
SAMPLES=${2:-2000000}
HOSTS=${3:-5000}
WORK=$(mktemp -d /tmp/tsdb-soak.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dotnet build src/Tsdb.Cli -c Release --nologo -v quiet
dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet
PORT=$(free_port)
env ${SERVER_ENV:-} dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll serve --without-auth --http-bind "127.0.0.1:$PORT" \
  --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
wait_for "http://127.0.0.1:$PORT/health"
START=$(( ($(date +%s) - 7200) * 1000 ))
for i in $(seq 0 $((RUNS - 1))); do
  FROM=$(( START + i * 300000 ))
  RESULT=$(dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --format remote-write --writers 4 \
    --lines "$SAMPLES" --hosts "$HOSTS" --warmup-lines 0 --start-ms "$FROM" --url "http://127.0.0.1:$PORT/api/v1/write" 2>/dev/null \
    | grep -o "= [0-9,]* samples/s.*failed requests [0-9]*" | sed 's/^= //; s/ (.*latency/, latency/')
  RSS=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status")
  PEAK=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status")
  FILES=$(find "$WORK/data" -name '*.parquet' | wc -l)
  QUERY=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/api/v1/query_range" \
    --data-urlencode 'query=sum by (mode) (rate(node_cpu_seconds_total[1m]))' -d "start=$((START / 1000))" \
    -d "end=$((START / 1000 + 3600))" -d step=60)
  echo "run $i: $RESULT; RSS $RSS MiB, peak $PEAK MiB; $FILES Parquet files; query over the hour: $QUERY s"
done
