#!/usr/bin/env bash
# Peak memory of one persist of a high-cardinality table: ROWS rows, each its own series (host=h<id>) with a 64-byte
# string field, written under a GC heap hard limit, then persisted by POST /api/v3/persist. Reports the server's
# resident memory before the persist, its peak during it (VmHWM, reset just before), the persist's answer and time.
# The persist thresholds are the defaults for that limit (automatic persists are off: the check interval is 1000h).
# usage: bench/persist-memory.sh [ROWS] [HEAP_LIMIT_MIB] [TSDB_DLL]   (default 500000 rows, 512 MiB, the server built here)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-500000}
HEAP=${2:-512}
TSDB=${3:-src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll}
PORT=27641
WORK=$(mktemp -d /tmp/tsdb-persist-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
[ "$#" -ge 3 ] || dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null

python3 - "$WORK" "$ROWS" <<'PY'
import os, sys, uuid
work, rows = sys.argv[1], int(sys.argv[2])
for b in range(0, rows, 10000):
    with open(os.path.join(work, "batch-%08d.lp" % b), "w") as f:
        for i in range(b, min(rows, b + 10000)):
            f.write('m,host=h%d v=%di,pad="%s%s" %d\n' % (i, i, uuid.uuid4().hex, uuid.uuid4().hex, 1_700_000_000_000_000_000 + i * 1_000_000))
PY
DOTNET_GCHeapHardLimit=$(printf '0x%x' $((HEAP << 20))) dotnet "$TSDB" serve --without-auth --http-bind 127.0.0.1:$PORT \
  --data-dir "$WORK/tsdb" --persist-age 1000h --persist-check-interval 1000h --buffer-memory-limit $((HEAP / 4))MiB >"$WORK/tsdb.log" 2>&1 &
TSDB_PID=$!
wait_for http://127.0.0.1:$PORT/health
for f in "$WORK"/batch-*.lp; do
  curl -sf -XPOST "http://127.0.0.1:$PORT/api/v3/write_lp?db=mem" --data-binary "@$f" >/dev/null
done
RSS_BEFORE=$(awk '/VmRSS/ {print $2}' "/proc/$TSDB_PID/status")
echo 5 > "/proc/$TSDB_PID/clear_refs"
START=$(date +%s.%N)
STATUS=$(curl -s -o "$WORK/persist.out" -w '%{http_code}' -XPOST http://127.0.0.1:$PORT/api/v3/persist)
END=$(date +%s.%N)
PEAK=$(awk '/VmHWM/ {print $2}' "/proc/$TSDB_PID/status")
FILES=$(find "$WORK/tsdb" -name '*.parquet' | wc -l)
awk -v n="$ROWS" -v h="$HEAP" -v r="$RSS_BEFORE" -v p="$PEAK" -v s="$START" -v e="$END" -v st="$STATUS" -v f="$FILES" 'BEGIN {
  printf "%d rows (one series each), heap limit %d MiB: RSS before persist %.0f MiB, peak during it %.0f MiB; persist answered %s in %.1f s, %d file(s)\n",
    n, h, r / 1024, p / 1024, st, e - s, f }'
[ "$STATUS" = 200 ] || { head -c 300 "$WORK/persist.out"; echo; grep -i "outofmemory\|fail" "$WORK/tsdb.log" | head -3; }
kill "$TSDB_PID"; wait "$TSDB_PID" || true
