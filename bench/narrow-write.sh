#!/usr/bin/env bash
# How fast the real write paths take a narrow table (one tag of 1,000 series, one float field): the question is
# whether a year of 10-second data for 1,000 series (3.15 G rows) can go through the write API here. One server
# (defaults: persists by buffer size and age as in production), each path into its own database:
#   line protocol: LINES lines in gzip bodies of 200,000 lines (~8 MB before compression, under the 10 MiB limit),
#                  posted over CONNS connections at once (curl), every body acknowledged after its WAL fsync;
#   Flight DoPut:  CONNS concurrent streams (doput-bench.mjs with 1 field), ROWS rows each in 50,000-row batches.
# usage: bench/narrow-write.sh [LINES] [CONNS] [ROWS] [TSDB_DLL]   (defaults 4000000, 4, 1000000; port 28641)
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-4000000}
CONNS=${2:-4}
ROWS=${3:-1000000}
TSDB=${4:-src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll}
PORT=28641
WORK=$(mktemp -d /tmp/tsdb-narrow-write.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. bench/lib.sh
# The bodies are made before the clock starts: 1,000 series, one point each every 10 s, in time order.
python3 - "$WORK" "$LINES" <<'PY'
import gzip, sys
work, lines = sys.argv[1], int(sys.argv[2])
per_body, series, base = 200_000, 1000, 1_704_067_200 * 10**9
n = 0
for b in range(0, lines, per_body):
    out = []
    for k in range(b, min(lines, b + per_body)):
        t, s = divmod(k, series)
        out.append(f"m,series=s{s:05d} v={(k * 2654435761) % 10000 / 100.0} {base + t * 10_000_000_000}")
    with open(f"{work}/body-{n:05d}.lp.gz", "wb") as f:
        f.write(gzip.compress(("\n".join(out) + "\n").encode(), 1))
    n += 1
PY
dotnet "$TSDB" serve --without-auth --http-bind 127.0.0.1:$PORT --data-dir "$WORK/tsdb" >"$WORK/tsdb.log" 2>&1 &
PID=$!
wait_for http://127.0.0.1:$PORT/health
START=$(date +%s.%N)
ls "$WORK"/body-*.lp.gz | xargs -P "$CONNS" -I{} curl -sf -o /dev/null -XPOST -H 'content-encoding: gzip' \
  --data-binary @{} "http://127.0.0.1:$PORT/api/v3/write_lp?db=lp&precision=ns"
END=$(date +%s.%N)
awk -v n="$LINES" -v c="$CONNS" -v s="$START" -v e="$END" 'BEGIN { printf "line protocol, gzip, %d connections: %d lines in %.1f s = %.0f lines/s\n", c, n, e - s, n / (e - s) }'
count() {
  curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/query_sql -H 'content-type: application/json' \
    -d "{\"db\":\"$1\",\"q\":\"SELECT count(*) AS n FROM $2\",\"format\":\"csv\"}" | tail -1
}
echo "  rows in the table afterwards: $(count lp m)"
START=$(date +%s.%N)
for c in $(seq 1 "$CONNS"); do
  node tests/interop/flight/doput-bench.mjs 127.0.0.1:$PORT "$ROWS" 1 "m$c" >"$WORK/doput-$c.out" &
done
wait $(jobs -p | grep -v "^$PID\$")
END=$(date +%s.%N)
awk -v n="$ROWS" -v c="$CONNS" -v s="$START" -v e="$END" 'BEGIN { printf "Flight DoPut, 1 field, %d streams: %d rows in %.1f s = %.0f rows/s\n", c, n * c, e - s, n * c / (e - s) }'
sed 's/^/  stream: /' "$WORK"/doput-*.out
echo "  rows in the tables afterwards: $(for c in $(seq 1 "$CONNS"); do count put "m$c"; done | paste -sd+ | bc)"
awk '/VmHWM/ {printf "server peak RSS %.0f MiB\n", $2 / 1024}' "/proc/$PID/status"
kill "$PID"; wait "$PID" || true
