# Shared by the comparison scripts: waiting for a server, and InfluxDB 1.6.7 on loopback with its state in $WORK.

wait_for() {
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "timeout waiting for $1" >&2
  exit 1
}

ensure_influxdb() {
  if ! command -v influxd >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends influxdb >/dev/null
  fi
}

# start_influxdb EXTRA_DATA_SETTINGS: writes a config under $WORK, starts influxd, waits, creates database "bench".
start_influxdb() {
  cat >"$WORK/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:18088"
[meta]
  dir = "$WORK/influx/meta"
[data]
  dir = "$WORK/influx/data"
  wal-dir = "$WORK/influx/wal"
  query-log-enabled = false
$1
[http]
  bind-address = "127.0.0.1:18086"
  log-enabled = false
[monitor]
  store-enabled = false
CONF
  influxd -config "$WORK/influxdb.conf" >"$WORK/influx.log" 2>&1 &
  INFLUX_PID=$!
  wait_for http://127.0.0.1:18086/ping
  curl -sf -XPOST "http://127.0.0.1:18086/query" --data-urlencode "q=CREATE DATABASE bench" >/dev/null
}
