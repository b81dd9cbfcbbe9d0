#!/usr/bin/env bash
# OTLP ingest against remote write in the same run: one `tsdb serve`, the load generator sending the same series
# (SAMPLES points/samples, HOSTS hosts × 20 series, 2,000 per request, 4 writers, pre-encoded bodies) first as
# OTLP/HTTP protobuf gauges to /v1/metrics, then as remote-write 1.0 to /api/v1/write, alternating ROUNDS times, each
# round 300 s of data later and in its own database.
# usage: bench/otlp-ingest.sh [ROUNDS] [SAMPLES] [HOSTS]     (defaults: 2 1000000 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
SAMPLES=${2:-1000000}
HOSTS=${3:-1000}
WORK=$(mktemp -d /tmp/tsdb-otlp-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null
dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet >/dev/null
PORT=$(free_port)
dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll serve --without-auth --http-bind "127.0.0.1:$PORT" --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
wait_for "http://127.0.0.1:$PORT/health"
START=$(( ($(date +%s) - 3600) * 1000 ))
load() { # FORMAT PATH FROM
  dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --format "$1" --writers 4 --lines "$SAMPLES" --hosts "$HOSTS" \
    --warmup-lines 200000 --start-ms "$3" --label "$1" --url "http://127.0.0.1:$PORT$2" 2>/dev/null | sed 's/; server peak RSS.*//'
}
for i in $(seq 0 $((ROUNDS - 1))); do
  FROM=$(( START + i * 300000 ))
  load otlp "/v1/metrics?db=otlp$i" "$FROM"
  load remote-write "/api/v1/write?db=rw$i" "$FROM"
done
echo "server peak RSS $(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status") MiB"
