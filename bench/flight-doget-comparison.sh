#!/usr/bin/env bash
# DoGet throughput and server memory of two tsdb builds on the same data, alternated in one run; each also with tags
# hydrated to utf8 (the default) and kept as dictionaries (`tsdb-dictionaries: keep`).
#
#   bench/flight-doget-comparison.sh OLD_TSDB_DLL NEW_TSDB_DLL [ROWS] [RUNS]
#
# OLD/NEW: paths to tsdb.dll of two Release builds (e.g. a `git worktree` of the older commit, built). ROWS TSBS cpu
# lines (default 1,000,000) are written with bench/Tsdb.LoadGen to each server and persisted; then RUNS rounds
# (default 3) alternate old/new × hydrated/dictionaries, each a `SELECT * FROM cpu` DoGet read by
# bench/Tsdb.FlightBench (built from this checkout). A fresh server process per build and per dictionary setting, so
# each peak RSS (VmHWM) is that setting's alone.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1 NEW=$2 ROWS=${3:-1000000} RUNS=${4:-3}
WORK=$(mktemp -d /tmp/flight-doget-XXXXXX)
LOADGEN=bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll
BENCH=bench/Tsdb.FlightBench/bin/Release/net10.0/Tsdb.FlightBench.dll
[ -f "$LOADGEN" ] && [ -f "$BENCH" ] || dotnet build Tsdb.sln -c Release -v quiet --nologo >/dev/null

start() { # DLL DIR PORT -> pid
  dotnet "$1" serve --http-bind "127.0.0.1:$3" --data-dir "$2" --without-auth --query-memory-limit 16GiB >"$2.log" 2>&1 &
  echo $!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$3/health" >/dev/null && return 0; sleep 0.2; done
  echo "server on $3 did not start" >&2; exit 1
}

stop() { kill "$1"; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; }

declare -A DLL=([old]=$OLD [new]=$NEW) PORT=([old]=18301 [new]=18302)
for build in old new; do
  pid=$(start "${DLL[$build]}" "$WORK/$build" "${PORT[$build]}")
  dotnet "$LOADGEN" --url "http://127.0.0.1:${PORT[$build]}/api/v3/write_lp?db=bench" --lines "$ROWS" --warmup-lines 0 >/dev/null
  curl -sf -XPOST "http://127.0.0.1:${PORT[$build]}/api/v3/persist" >/dev/null
  stop "$pid"
done

for setting in hydrate keep; do
  declare -A PID=()
  for build in old new; do PID[$build]=$(start "${DLL[$build]}" "$WORK/$build" "${PORT[$build]}"); done
  for run in $(seq 1 "$RUNS"); do
    for build in old new; do
      printf '%s %s round %d: ' "$build" "$setting" "$run"
      dotnet "$BENCH" --url "http://127.0.0.1:${PORT[$build]}" --db bench --sql "SELECT * FROM cpu" --runs 1 \
        --header "tsdb-dictionaries=$setting" | sed 's/^run 1: //'
    done
  done
  for build in old new; do
    echo "$build $setting: server peak RSS $(grep VmHWM "/proc/${PID[$build]}/status" | awk '{print $2/1024 " MiB"}')"
    stop "${PID[$build]}"
  done
done
rm -rf "$WORK"
