#!/usr/bin/env bash
# Compaction generations over a long history: SERIES series, one point every INTERVAL seconds, for DAYS days, written
# day by day through the real server (/api/v3/write_lp), each day in PARTS requests of a share of the series (every
# request spans the whole day, so the day's level-0 files overlap), a persist after each request, the background
# compactor running as it does in production (--compaction-min-files PARTS). Then a final POST /api/v3/compact, and:
# files per level, bytes written by persist and compaction (write amplification), a count over the whole history
# (no file limit), how many files a one-day query touches, and the server's peak RSS.
# usage: bench/compaction-generations.sh [DAYS] [SERIES] [INTERVAL_S] [PARTS] [TARGET] [TSDB_DLL]
#   defaults: 365 days, 1000 series, 3600 s (see docs/performance.md for why not 10 s), 4 parts, 100MiB target
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-365}
SERIES=${2:-1000}
INTERVAL=${3:-3600}
PARTS=${4:-4}
TARGET=${5:-100MiB}
TSDB=${6:-src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll}
PORT=27641
WORK=$(mktemp -d /tmp/tsdb-generations-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
[ "$#" -ge 6 ] || dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null

dotnet "$TSDB" serve --without-auth --http-bind 127.0.0.1:$PORT --data-dir "$WORK/tsdb" \
  --persist-age 1000h --persist-check-interval 1s --compaction-min-files "$PARTS" --compaction-target-file-size "$TARGET" \
  --deletion-grace 1s >"$WORK/tsdb.log" 2>&1 &
TSDB_PID=$!
wait_for http://127.0.0.1:$PORT/health

START=$(date +%s.%N)
python3 - "$PORT" "$DAYS" "$SERIES" "$INTERVAL" "$PARTS" <<'PY'
import sys, urllib.request
port, days, series, interval, parts = (int(a) for a in sys.argv[1:6])
base = 1_704_067_200  # 2024-01-01T00:00:00Z
def post(path, body=b""):
    with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST")) as r:
        r.read()
quarter = max(1, -(-series // parts))
for d in range(days):
    day = base + d * 86400
    for q in range(0, series, quarter):
        lines = []
        for t in range(day, day + 86400, interval):
            for s in range(q, min(series, q + quarter)):
                v = (s * 2654435761 + t * 40503) % 100003
                lines.append(f"m,series=s{s:04d} v={v / 100.0},n={v}i {t}000000000")
        post("/api/v3/write_lp?db=gen", ("\n".join(lines) + "\n").encode())
        post("/api/v3/persist")
    if d % 30 == 29:
        print(f"day {d + 1} written", file=sys.stderr, flush=True)
PY
INGESTED=$(date +%s.%N)
curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/compact >/dev/null
COMPACTED=$(date +%s.%N)
PEAK=$(awk '/VmHWM/ {print $2}' "/proc/$TSDB_PID/status")

FILES_JSON="$WORK/files.json"
curl -sf "http://127.0.0.1:$PORT/api/v3/system/files?db=gen" >"$FILES_JSON"
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics.txt"
Q0=$(date +%s.%N)
YEAR=$(curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/query_sql -H 'content-type: application/json' \
  -d '{"db":"gen","q":"SELECT count(*) AS n, count(DISTINCT series) AS s FROM m","format":"csv"}' | tail -1)
Q1=$(date +%s.%N)
MID=$((1704067200 + (DAYS / 2) * 86400))
DAY_Q="SELECT count(*) AS n, avg(v) AS v FROM m WHERE time >= to_timestamp($MID) AND time < to_timestamp($((MID + 86400)))"
DAY=$(curl -sf -XPOST http://127.0.0.1:$PORT/api/v3/query_sql -H 'content-type: application/json' \
  -d "{\"db\":\"gen\",\"q\":\"$DAY_Q\",\"format\":\"csv\"}" | tail -1)
Q2=$(date +%s.%N)

python3 - "$FILES_JSON" "$WORK/metrics.txt" "$MID" <<PY
import json, sys, re, collections
files = json.load(open(sys.argv[1]))
mid = int(sys.argv[3]) * 10**9
levels = collections.Counter(f["level"] for f in files)
sizes = collections.defaultdict(int)
for f in files: sizes[f["level"]] += f["size_bytes"]
day_files = [f for f in files if f["min_time"] < mid + 86400 * 10**9 and f["max_time"] >= mid]
written = {}
for line in open(sys.argv[2]):
    m = re.match(r'tsdb_storage_written_bytes_total\{[^}]*job="(\w+)"[^}]*\} (\S+)', line)
    if m: written[m.group(1)] = float(m.group(2))
persist, compaction = written.get("persist", 0), written.get("compaction", 0)
print(f"rows: $DAYS days x $SERIES series every $INTERVAL s, $PARTS requests + persists a day; ingest with persists and background compaction {float('$INGESTED') - float('$START'):.0f} s; final compaction {float('$COMPACTED') - float('$INGESTED'):.1f} s; peak RSS {int('$PEAK') / 1024:.0f} MiB")
print("files per level: " + ", ".join(f"L{l}: {levels[l]} ({sizes[l] / 1e6:.1f} MB)" for l in sorted(levels)) + f"; {len(files)} files, {sum(sizes.values()) / 1e6:.1f} MB")
print(f"bytes written: persist {persist / 1e6:.1f} MB, compaction {compaction / 1e6:.1f} MB; write amplification (persist + compaction) / persist = {(persist + compaction) / max(persist, 1):.2f}")
print(f"whole history: count, distinct series = $YEAR ({float('$Q1') - float('$Q0'):.2f} s); one day: count, avg = $DAY ({float('$Q2') - float('$Q1'):.2f} s), files overlapping that day: {len(day_files)}")
PY
kill "$TSDB_PID"; wait "$TSDB_PID" || true
