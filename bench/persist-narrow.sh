#!/usr/bin/env bash
# What one persist of a narrow, time-ordered table costs the server: DAYS of 10-second data for 1,000 series
# (`m,series=sNNNNN v=…`, 8.64 M rows a day, by bench/Tsdb.YearWrite through POST /api/v3/write_lp) buffered with
# automatic persists off, then POST /api/v3/persist. Reports the persist's wall time and the server's CPU time during
# it (utime + stime from /proc: comparable between builds on a machine other work shares, where wall time is not).
# Persist throughput bounds a sustained ingest (docs/performance.md, the year through the write API).
# usage: bench/persist-narrow.sh [DAYS] [TSDB_DLL]   (default 2 days, the server built here; port 28681)
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-2}
TSDB=${2:-src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll}
PORT=${PORT:-28681}
WORK=$(mktemp -d /tmp/tsdb-persist-narrow.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. bench/lib.sh
[ "$#" -ge 2 ] || dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null
dotnet build bench/Tsdb.YearWrite -c Release --nologo -v quiet >/dev/null
dotnet "$TSDB" serve --without-auth --http-bind 127.0.0.1:$PORT --data-dir "$WORK/tsdb" --persist-check-interval 1000h \
  --log-level warn >"$WORK/tsdb.log" 2>&1 &
PID=$!
wait_for http://127.0.0.1:$PORT/health
dotnet bench/Tsdb.YearWrite/bin/Release/net10.0/Tsdb.YearWrite.dll --url "http://127.0.0.1:$PORT" --days "$DAYS" | sed 's/^/load: /'
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
C0=$(ticks)
T0=$(date +%s.%N)
RESULT=$(curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/persist)
T1=$(date +%s.%N)
C1=$(ticks)
awk -v r="$RESULT" -v s="$T0" -v e="$T1" -v c="$((C1 - C0))" -v hz="$(getconf CLK_TCK)" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
  'BEGIN { printf "persist: %s in %.1f s wall, %.1f s of server CPU (load average %s)\n", r, e - s, c / hz, load }'
kill "$PID"; wait "$PID" || true
