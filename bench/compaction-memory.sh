#!/usr/bin/env bash
# Peak memory of a compaction: one day partition of TSBS cpu data (1,000 hosts every 10 s) persisted as many L0 files
# (a small persist buffer), then compacted into one file. Reports the server's resident memory before the compaction
# and its peak during it (VmHWM, reset just before), the partition's size on disk and the time the compaction took.
# usage: bench/compaction-memory.sh [LINES] [TSDB_DLL] [TARGET]   (default 8640000 = one full day; the server built
# here; --compaction-target-file-size 100MiB: a smaller one splits the partition by time into several files)
# The data is written and persisted by one server process, then compacted by a fresh one (after a clean stop).
# PORT (default 18191) moves the server. HEAP_LIMIT=1024 (MiB) runs that second process under DOTNET_GCHeapHardLimit: the compaction then either fits in that
# heap or fails (reported), a harder bound than the resident-memory peak.
# HISTORY_ARGS="--days 1 ..." loads the partition with bench/Tsdb.HistoryLoad instead (level-0 files written through
# the server's own ParquetFileWriter and catalog, no write API: for partitions of gigabytes, which the write API cannot
# load here in the time; LINES is then ignored and the rows are counted from the catalog).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-8640000}
TSDB=${2:-src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll}
TARGET=${3:-100MiB}
PORT=${PORT:-18191}
WORK=$(mktemp -d /tmp/tsdb-compaction-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
[ "$#" -ge 2 ] || dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null

serve() {
  dotnet "$TSDB" serve --without-auth --http-bind 127.0.0.1:$PORT --data-dir "$WORK/tsdb" \
    --persist-buffer-size 64MiB --persist-age 1000h --compaction-min-files 1000000 \
    --compaction-target-file-size "$TARGET" >>"$WORK/tsdb.log" 2>&1 &
  TSDB_PID=$!
  wait_for http://127.0.0.1:$PORT/health
}
if [ -n "${HISTORY_ARGS:-}" ]; then
  dotnet build bench/Tsdb.HistoryLoad -c Release --nologo -v quiet >/dev/null
  # shellcheck disable=SC2086
  dotnet bench/Tsdb.HistoryLoad/bin/Release/net10.0/Tsdb.HistoryLoad.dll --data-dir "$WORK/tsdb" --db bench $HISTORY_ARGS | tail -1
else
  dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet >/dev/null
  serve
  dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --writers 2 --lines "$LINES" --warmup-lines 0 \
    --url "http://127.0.0.1:$PORT/api/v3/write_lp?db=bench&precision=ns" --label "load" >/dev/null
  curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/persist >/dev/null
  # The compaction runs in a fresh process, so neither ingest's garbage nor its buffer is counted (and a heap limit
  # applies to the compaction alone).
  kill "$TSDB_PID"; wait "$TSDB_PID" || true
fi
FILES=$(find "$WORK/tsdb/dbs" -name '*.parquet' | wc -l)
BYTES=$(du -sb "$WORK/tsdb/dbs" | cut -f1)
if [ -n "${HEAP_LIMIT:-}" ]; then export DOTNET_GCHeapHardLimit=$(printf '0x%x' $((HEAP_LIMIT * 1024 * 1024))); fi
serve
unset DOTNET_GCHeapHardLimit
[ -z "${HISTORY_ARGS:-}" ] || LINES=$(curl -sf "http://127.0.0.1:$PORT/api/v3/system/files?db=bench" | python3 -c 'import json, sys; print(sum(f["row_count"] for f in json.load(sys.stdin)))')
RSS_BEFORE=$(awk '/VmRSS/ {print $2}' "/proc/$TSDB_PID/status")
echo 5 > "/proc/$TSDB_PID/clear_refs"
START=$(date +%s.%N)
COMPACT_STATUS=$(curl -s -o "$WORK/compact.out" -w '%{http_code}' -XPOST http://127.0.0.1:$PORT/api/v3/compact)
END=$(date +%s.%N)
if [ "$COMPACT_STATUS" != 200 ]; then
  echo "compaction FAILED with HTTP $COMPACT_STATUS${HEAP_LIMIT:+ under a ${HEAP_LIMIT} MiB heap}: $(head -c 300 "$WORK/compact.out")"
  grep -i -m3 "exception\|out of memory" "$WORK/tsdb.log" || true
fi
PEAK=$(awk '/VmHWM/ {print $2}' "/proc/$TSDB_PID/status")
curl -sf "http://127.0.0.1:$PORT/api/v3/system/files?db=bench" >"$WORK/files.json"
python3 -c 'import json, sys
files = sorted(json.load(open(sys.argv[1])), key=lambda f: f["min_time"])
if len(files) <= 8:
    print("compacted into: " + ", ".join("L%d [%d, %d] %.1f MB" % (f["level"], f["min_time"], f["max_time"], f["size_bytes"] / 1e6) for f in files))
else:
    sizes = [f["size_bytes"] / 1e6 for f in files]
    disjoint = all(a["max_time"] < b["min_time"] for a, b in zip(files, files[1:]))
    print("compacted into %d files (levels %s), %.1f-%.1f MB each, %s in time" % (len(files), sorted(set(f["level"] for f in files)), min(sizes), max(sizes), "non-overlapping" if disjoint else "OVERLAPPING"))' "$WORK/files.json"
AFTER_FILES=$(find "$WORK/tsdb/dbs" -name '*.parquet' | wc -l)
AFTER_BYTES=$(du -sb "$WORK/tsdb/dbs" | cut -f1)
awk -v l="$LINES" -v f="$FILES" -v b="$BYTES" -v r="$RSS_BEFORE" -v p="$PEAK" -v s="$START" -v e="$END" -v af="$AFTER_FILES" -v ab="$AFTER_BYTES" 'BEGIN {
  printf "%s%d rows in %d L0 files, %.1f MB on disk; RSS before compaction %.0f MiB, peak during it %.0f MiB; compaction %.1f s -> %d file(s), %.1f MB (old files still under their deletion grace)\n",
    (ENVIRON["HEAP_LIMIT"] != "" ? "heap limit " ENVIRON["HEAP_LIMIT"] " MiB: " : ""), l, f, b / 1e6, r / 1024, p / 1024, e - s, af, ab / 1e6 }'
kill "$TSDB_PID"; wait "$TSDB_PID" || true
