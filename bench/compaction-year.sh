#!/usr/bin/env bash
# A year of 10-second data for 1,000 series (3.15 G rows), compacted by the real server, then queried: the issue's
# "whole year answers (no file limit), one day touches a few files" measurement at full size. Two ways to load it:
#
# LOAD=api: through the write API, end to end. A `tsdb serve` with the production write and persist settings (WAL
#   fsync before every acknowledgement, --wal-flush-interval 0; persist by buffer size, auto = 256 MiB here, or by age,
#   10 min of arrival time, checked every 5 s) takes the year from bench/Tsdb.YearWrite: POST /api/v3/write_lp bodies
#   of 200,000 lines (200 time steps of every series, ~7 MB uncompressed, under the 10 MiB limit) in time order over
#   WRITERS (4) connections, every response checked to be 204. Only the background compactor is held off
#   (--compaction-min-files) so that the one POST /api/v3/compact below does and times all of it. While it loads, the
#   server's RSS, the WAL directory's size, the data directory's size and the load average are sampled every 10 s
#   (SAMPLES file, printed as peaks). After the last write, POST /api/v3/persist persists the buffer's tail, so the
#   level-0 files hold every row before the queries.
# LOAD=history (default): the rows do NOT come through the write API: bench/Tsdb.HistoryLoad writes them as the
#   level-0 files persists would leave (PARTS files a day, each a share of the series over the whole day, so a day's
#   files overlap in time) with the server's own ParquetFileWriter, and publishes each in the server's catalog log
#   (Catalog.UpdateAsync); then a fresh `tsdb serve` on the directory.
#   LOADED=DIR: use a data directory Tsdb.HistoryLoad filled before (same arguments; DB= its --db, default year),
#   skip the load; the directory is kept.
# Everything after the load is the real server: POST /api/v3/compact, SQL over HTTP; both loads write the same values
# (HistoryLoad's walk), so their answers are comparable.
#
# Reports: the load; before compaction, a one-day query and a whole-year query over the level-0 files; the compaction
# (time, peak RSS of the server from a VmHWM reset just before, files per level after); after it, the same two
# queries. Files touched come from EXPLAIN ANALYZE (the scan's chunks_parquet=N after pruning).
# usage: [LOAD=api [WRITERS=4] [KEEP=1]] bench/compaction-year.sh [DAYS] [SERIES] [INTERVAL_MS] [PARTS] [TSDB_DLL]
#   defaults: 365 days from 2024-01-01, 1000 series, 10000 ms, 4 files a day (history only), this tree's Release
#   build; port 28671. BEFORE_YEAR=0 leaves out the whole-year query before compaction.
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-365}
SERIES=${2:-1000}
INTERVAL=${3:-10000}
PARTS=${4:-4}
TSDB=${5:-src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll}
PORT=${PORT:-28671}
DB=${DB:-year}
. bench/lib.sh
LOAD=${LOAD:-history}
if [ "$LOAD" = api ]; then
  WORK=$(mktemp -d /tmp/tsdb-year-bench.XXXXXX)
  DATA=$WORK/tsdb
  # KEEP=1 keeps the loaded directory (an hour of loading) to look into it afterwards; delete it by hand.
  if [ "${KEEP:-0}" = 1 ]; then trap 'kill $(jobs -p) 2>/dev/null || true' EXIT; else trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT; fi
  [ "$#" -ge 5 ] || dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null
  dotnet build bench/Tsdb.YearWrite -c Release --nologo -v quiet >/dev/null
elif [ -n "${LOADED:-}" ]; then
  DATA=$LOADED
  trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
else
  WORK=$(mktemp -d /tmp/tsdb-year-bench.XXXXXX)
  DATA=$WORK/tsdb
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
  [ "$#" -ge 5 ] || dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null
  dotnet build bench/Tsdb.HistoryLoad -c Release --nologo -v quiet >/dev/null
  dotnet bench/Tsdb.HistoryLoad/bin/Release/net10.0/Tsdb.HistoryLoad.dll --data-dir "$DATA" --db "$DB" --days "$DAYS" \
    --series "$SERIES" --interval-ms "$INTERVAL" --parts "$PARTS" --jobs 2 | tail -1 | sed 's/^/load: /'
fi
LOG=${SERVER_LOG:-$(dirname "$DATA")/tsdb-year.log}
# The background compactor is held off (--compaction-min-files) so the one POST below does and times all of it; the
# replaced files go after 1 s (not 5 min) so the disk holds one copy of the year.
dotnet "$TSDB" serve --without-auth --http-bind 127.0.0.1:$PORT --data-dir "$DATA" --compaction-min-files 1000000 \
  --deletion-grace 1s >"$LOG" 2>&1 &
PID=$!
wait_for http://127.0.0.1:$PORT/health

if [ "$LOAD" = api ]; then
  SAMPLES=${SAMPLES:-$WORK/samples.tsv}
  # seconds, server RSS (kB), WAL bytes, data directory bytes, load average (1 min)
  ( while kill -0 "$PID" 2>/dev/null; do
      printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s)" "$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")" \
        "$(du -sb "$DATA/wal" 2>/dev/null | cut -f1)" "$(du -sb "$DATA" 2>/dev/null | cut -f1)" "$(cut -d' ' -f1 /proc/loadavg)"
      sleep 10
    done ) >"$SAMPLES" &
  SAMPLER=$!
  dotnet bench/Tsdb.YearWrite/bin/Release/net10.0/Tsdb.YearWrite.dll --url "http://127.0.0.1:$PORT" --db "$DB" \
    --days "$DAYS" --series "$SERIES" --interval-ms "$INTERVAL" --writers "${WRITERS:-4}" | sed 's/^/load: /'
  [ "${PIPESTATUS[0]}" = 0 ] || exit 1
  awk '/VmHWM/ {printf "  server peak RSS during the load %.0f MiB\n", $2 / 1024}' "/proc/$PID/status"
  T0=$(date +%s.%N)
  RESULT=$(curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/persist)
  T1=$(date +%s.%N)
  awk -v r="$RESULT" -v s="$T0" -v e="$T1" 'BEGIN { printf "  persist of the rows still buffered: %s in %.1f s\n", r, e - s }'
  sleep 11  # one more sample after the persist
  kill "$SAMPLER"
  awk -F'\t' '{ if ($2 > rss) rss = $2; if ($3 > wal) wal = $3; if ($4 > data) data = $4; load += $5; n++; if ($5 > maxload) maxload = $5; last = $3 }
    END { printf "  sampled every 10 s (%d samples): server RSS peak %.0f MiB; WAL directory peak %.1f MB, %.1f MB after the last persist; data directory peak %.1f GB; load average mean %.1f, max %.1f\n", n, rss / 1024, wal / 1e6, last / 1e6, data / 1e9, load / n, maxload }' "$SAMPLES"
fi

START_S=1704067200  # 2024-01-01T00:00:00Z
MID=$((START_S + (DAYS / 2) * 86400))
DAY_Q="SELECT count(*) AS n, avg(v) AS v FROM m WHERE time >= to_timestamp($MID) AND time < to_timestamp($((MID + 86400)))"
YEAR_Q="SELECT count(*) AS n, avg(v) AS v, min(time) AS first, max(time) AS last FROM m"
# query NAME SQL: the answer (csv) and the time it took, then the files its scan touched (EXPLAIN ANALYZE of the same
# SQL, so it runs twice).
query() {
  local t0 t1 answer
  t0=$(date +%s.%N)
  answer=$(curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/query_sql -H 'content-type: application/json' \
    -d "{\"db\":\"$DB\",\"q\":\"$2\",\"format\":\"csv\"}" | tail -1)
  t1=$(date +%s.%N)
  awk -v n="$1" -v a="$answer" -v s="$t0" -v e="$t1" 'BEGIN { printf "  %s: %s in %.2f s\n", n, a, e - s }'
  echo "    touched: $(curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/query_sql -H 'content-type: application/json' \
    -d "{\"db\":\"$DB\",\"q\":\"EXPLAIN ANALYZE $2\",\"format\":\"json\"}" | grep -o 'chunks_[a-z]*=[0-9]*' | paste -sd' ')"
}
levels() {
  curl -sf "http://127.0.0.1:$PORT/api/v3/system/files?db=$DB" | python3 -c 'import json, sys, collections
files = json.load(sys.stdin)
count, size, rows = collections.Counter(), collections.Counter(), 0
for f in files:
    count[f["level"]] += 1; size[f["level"]] += f["size_bytes"]; rows += f["row_count"]
print("  files: " + ", ".join("L%d: %d (%.1f GB)" % (l, count[l], size[l] / 1e9) for l in sorted(count)) + "; %d rows in the catalog" % rows)'
}

echo "before compaction (level-0 files as loaded):"
levels
query "one day (n, avg)" "$DAY_Q"
# Over the level-0 files every day's overlapping files are merged, which is slow (305 s for the year here): BEFORE_YEAR=0
# leaves it out.
[ "${BEFORE_YEAR:-1}" = 0 ] || query "whole year (n, avg, first, last)" "$YEAR_Q"

echo 5 > "/proc/$PID/clear_refs"
RSS_BEFORE=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
T0=$(date +%s.%N)
RESULT=$(curl -s -XPOST http://127.0.0.1:$PORT/api/v3/compact)
T1=$(date +%s.%N)
PEAK=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
awk -v r="$RESULT" -v s="$T0" -v e="$T1" -v b="$RSS_BEFORE" -v p="$PEAK" 'BEGIN { printf "compaction: %s in %.0f s; server RSS before %.0f MiB, peak during it %.0f MiB\n", r, e - s, b / 1024, p / 1024 }'
sleep 3  # past the deletion grace, so the listing below is the compacted year

echo "after compaction:"
levels
query "one day (n, avg)" "$DAY_Q"
query "whole year (n, avg, first, last)" "$YEAR_Q"
awk '/VmHWM/ {printf "server peak RSS over the whole run %.0f MiB\n", $2 / 1024}' "/proc/$PID/status"
kill "$PID"; wait "$PID" || true
