#!/usr/bin/env bash
# TSBS query types in InfluxQL and in SQL on tsdb, and in InfluxQL on a real InfluxDB 1.6.7 holding the same lines,
# in the same run (issue 16). Loads LINES TSBS cpu rows with bench/Tsdb.LoadGen (4 writers, the same deterministic
# lines) into tsdb (/api/v3/write_lp, then persisted and compacted) and into InfluxDB 1.6.7 (/write, then its cache
# snapshotted to TSM and fully compacted), then times each query (median and p90 of RUNS runs after 2 warm-ups,
# the three sides interleaved) with bench/influxql-comparison.mjs, then the InfluxQL texts again through curl (a light
# keep-alive client; Node's fetch adds 0.5-1 ms a request) on tsdb and 1.6.7.
# usage: [RUNS=10] [WARMUPS=2] [HOSTS=…] [ONLY=a,b] [EXPLAIN=a,b] [SOURCE_BUILD=1] bench/influxql-comparison.sh [LINES]
#   LINES  default 2,000,000 (20 M field values, about 4 min with RUNS=10); 10,000,000 is the size of
#          bench/query-comparison.sh (its load into InfluxDB 1.6.7 takes about 2 min; lastpoint in InfluxQL takes
#          seconds per run there, so ONLY= without it keeps the run near 7 min).
#   HOSTS  default 1,000 from 10,000,000 lines up, 100 from 1,000,000, else 10, so that the data (one point per host
#          every 10 s from 2016-01-01T00:00Z) covers the first 20 hours the queries read.
#   EXPLAIN  queries whose EXPLAIN ANALYZE (InfluxQL and SQL, on tsdb) is printed after the table.
#   SOURCE_BUILD=1  runs tsdb from `dotnet build` (JIT only) instead of the ReadyToRun publish deploy/publish.sh makes.
# Both servers bind free ports on 127.0.0.1 and are stopped by PID; their state lives in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-2000000}
if [ -z "${HOSTS:-}" ]; then
  if [ "$LINES" -ge 10000000 ]; then HOSTS=1000; elif [ "$LINES" -ge 1000000 ]; then HOSTS=100; else HOSTS=10; fi
fi
if [ $((LINES / HOSTS * 10)) -lt 72000 ]; then
  echo "LINES/HOSTS = $((LINES / HOSTS)) points per host cover less than the 20 h the queries read; lower HOSTS" >&2
  exit 2
fi
WORK=$(mktemp -d /tmp/tsdb-influxql-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. bench/lib.sh
ensure_influxdb
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
TSDB_PORT=$(free_port)
INFLUX_PORT=$(free_port)
INFLUX_RPC_PORT=$(free_port)
TSDB=http://127.0.0.1:$TSDB_PORT
INFLUX=http://127.0.0.1:$INFLUX_PORT

# tsdb as deploy/publish.sh ships it, with ReadyToRun (precompiled) assemblies, so that a fresh server's first
# requests do not run the JIT's unoptimised first tier; framework-dependent here (the self-contained single file runs
# the same code and takes minutes longer to build). SOURCE_BUILD=1 runs the plain `dotnet build` output instead.
if [ "${SOURCE_BUILD:-0}" = 1 ]; then
  dotnet build src/Tsdb.Cli -c Release --nologo -v quiet >/dev/null
  TSDB_CMD=(dotnet src/Tsdb.Cli/bin/Release/net10.0/tsdb.dll)
else
  case "$(uname -m)" in aarch64|arm64) RID=linux-arm64 ;; *) RID=linux-x64 ;; esac
  dotnet publish src/Tsdb.Cli/Tsdb.Cli.csproj -c Release -r "$RID" --self-contained false -p:PublishReadyToRun=true \
    -o "$WORK/tsdb-bin" --nologo -v quiet >/dev/null
  TSDB_CMD=("$WORK/tsdb-bin/tsdb")
fi
dotnet build bench/Tsdb.LoadGen -c Release --nologo -v quiet >/dev/null
LOADGEN="dotnet bench/Tsdb.LoadGen/bin/Release/net10.0/Tsdb.LoadGen.dll --writers 4 --lines $LINES --hosts $HOSTS --warmup-lines 0"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; $LINES lines, $HOSTS hosts"

# tsdb, as bench/query-comparison.sh runs it, without its line per request (--log-level warn): InfluxDB 1.6.7 below
# runs with its HTTP request log off (log-enabled = false), and a small query's log line costs ~5 % of its time.
"${TSDB_CMD[@]}" serve --without-auth --http-bind "127.0.0.1:$TSDB_PORT" --data-dir "$WORK/tsdb" \
  --persist-age 1000h --log-level warn >"$WORK/tsdb.log" 2>&1 &
TSDB_PID=$!
wait_for "$TSDB/health"
$LOADGEN --url "$TSDB/api/v3/write_lp?db=bench&precision=ns" --label "tsdb load"
curl -sf -XPOST "$TSDB/api/v3/persist" >/dev/null
curl -sf -XPOST "$TSDB/api/v3/compact" >/dev/null
DBS=$(dirname "$(find "$WORK/tsdb" -type d -name dbs -print -quit)")/dbs
echo "tsdb: $(find "$DBS" -name '*.parquet' | wc -l) Parquet files, $(du -sh "$DBS" | cut -f1)"

# InfluxDB 1.6.7 with tests/Tsdb.Testing/InfluxDb1Server.cs's config (every listener but HTTP off, no query
# limits, inmem index), plus cold durations of 1–2 s so that the cache is snapshotted to TSM and the shards fully
# compacted once the load ends, as tsdb's data is persisted and compacted.
mkdir -p "$WORK/influx"
cat >"$WORK/influx/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"
[meta]
  dir = "$WORK/influx/meta"
  retention-autocreate = true
  logging-enabled = false
[data]
  dir = "$WORK/influx/data"
  wal-dir = "$WORK/influx/wal"
  index-version = "inmem"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "1s"
  compact-full-write-cold-duration = "2s"
[coordinator]
  max-select-point = 0
  max-select-series = 0
  max-select-buckets = 0
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_PORT"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false
  max-row-limit = 0
[continuous_queries]
  enabled = false
[ifql]
  enabled = false
[[graphite]]
  enabled = false
[[collectd]]
  enabled = false
[[opentsdb]]
  enabled = false
[[udp]]
  enabled = false
[logging]
  level = "warn"
  suppress-logo = true
CONF
influxd -config "$WORK/influx/influxdb.conf" >"$WORK/influx.log" 2>&1 &
INFLUX_PID=$!
wait_for "$INFLUX/ping"
curl -sf -XPOST "$INFLUX/query" --data-urlencode "q=CREATE DATABASE bench" >/dev/null
$LOADGEN --url "$INFLUX/write?db=bench&precision=ns" --label "InfluxDB 1.6.7 load"
# Wait until the WAL is empty (cache snapshotted) and the TSM file set has not changed for 6 s (compactions done).
PREVIOUS=""
STABLE=0
for _ in $(seq 1 150); do
  sleep 2
  WAL=$(find "$WORK/influx/wal" -name '*.wal' -size +0 | wc -l)
  NOW=$(find "$WORK/influx/data" -name '*.tsm*' -printf '%f %s\n' | sort | md5sum)
  if [ "$WAL" -eq 0 ] && [ "$NOW" = "$PREVIOUS" ] && ! find "$WORK/influx/data" -name '*.tmp' | grep -q .; then
    STABLE=$((STABLE + 1))
    [ "$STABLE" -ge 3 ] && break
  else
    STABLE=0
  fi
  PREVIOUS=$NOW
done
echo "InfluxDB 1.6.7: $(find "$WORK/influx/data" -name '*.tsm' | wc -l) TSM files, $(du -sh "$WORK/influx/data" | cut -f1)"

STATUS=0
node bench/influxql-comparison.mjs --url "$TSDB" --influxdb "$INFLUX" --db bench --hosts "$HOSTS" --runs "${RUNS:-10}" \
  ${WARMUPS:+--warmups "$WARMUPS"} ${ONLY:+--only "$ONLY"} ${EXPLAIN:+--explain "$EXPLAIN"} || STATUS=$?
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "peak RSS: tsdb $(grep VmHWM /proc/$TSDB_PID/status | awk '{print $2/1024 " MiB"}'), InfluxDB 1.6.7 $(grep VmHWM /proc/$INFLUX_PID/status | awk '{print $2/1024 " MiB"}')"
kill "$TSDB_PID" "$INFLUX_PID"; wait "$TSDB_PID" "$INFLUX_PID" || true
exit "$STATUS"
