// What one small request costs a server: N sequential GETs over one keep-alive connection (Node's fetch, answers not
// compressed), and the server process's CPU time (utime + stime from /proc/<pid>/stat) before and after, which a
// shared machine's load distorts far less than wall time. Works for any server on this machine (tsdb, influxd), so
// both sides of a comparison are measured the same way; the client's own cost (about 1 ms a request with fetch under
// load) is in the wall time, not in the CPU time. For tsdb it also reads the .NET runtime's counters from /metrics
// before and after (collections per generation, GC pause, bytes allocated), which do not depend on the machine's load.
// usage: node bench/request-cpu.mjs URL_WITH_PATH_AND_QUERY QUERY_TEXT [N=500] [WARMUP=200]
//   e.g. node bench/request-cpu.mjs 'http://127.0.0.1:8181/query?db=bench&epoch=ns' 'SELECT max(usage_user) FROM cpu …'
//   The query text is sent as the q parameter; the server is found by the port it listens on (ss -ltnp).
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';

const [base, q, n, warmup] = [process.argv[2], process.argv[3] ?? '', Number(process.argv[4] ?? 500), Number(process.argv[5] ?? 200)];
if (!base) {
  console.error('usage: node bench/request-cpu.mjs URL QUERY [N] [WARMUP]');
  process.exit(2);
}
const port = new URL(base).port;
const pid = execSync(`ss -ltnpH 'sport = :${port}'`).toString().match(/pid=(\d+)/)?.[1];
if (!pid) {
  console.error(`no process listens on port ${port}`);
  process.exit(2);
}
const ticks = Number(execSync('getconf CLK_TCK').toString());
const cpu = () => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;
};
const url = `${base}${base.includes('?') ? '&' : '?'}q=${encodeURIComponent(q)}`;
let bytes = 0;
const once = async () => {
  const r = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
  const body = await r.arrayBuffer();
  if (!r.ok) throw new Error(`${r.status} ${Buffer.from(body).toString()}`);
  bytes = body.byteLength;
};
// tsdb's /metrics: the runtime's GC counters (null for a server without them, e.g. influxd).
const gc = async () => {
  try {
    const r = await fetch(`${new URL(base).origin}/metrics`);
    if (!r.ok) return null;
    const text = await r.text();
    const value = (re) => Number(text.match(re)?.[1] ?? NaN);
    const counters = {
      gen0: value(/^dotnet_gc_collections_total\{[^}]*gen0[^}]*\} (\S+)/m),
      gen1: value(/^dotnet_gc_collections_total\{[^}]*gen1[^}]*\} (\S+)/m),
      gen2: value(/^dotnet_gc_collections_total\{[^}]*gen2[^}]*\} (\S+)/m),
      pause: value(/^dotnet_gc_pause_time_seconds_total\{[^}]*\} (\S+)/m),
      allocated: value(/^dotnet_gc_heap_total_allocated_bytes_total\{[^}]*\} (\S+)/m),
    };
    return Object.values(counters).every(Number.isFinite) ? counters : null;
  } catch {
    return null;
  }
};
for (let i = 0; i < warmup; i++) await once();
const gcBefore = await gc();
const before = cpu();
const started = process.hrtime.bigint();
for (let i = 0; i < n; i++) await once();
const wall = Number(process.hrtime.bigint() - started) / 1e6;
const used = (cpu() - before) * 1000;
const gcAfter = gcBefore && await gc();
const per100 = (k) => ((gcAfter[k] - gcBefore[k]) * 100 / n).toFixed(1);
const gcText = gcAfter
  ? `; per 100 requests GCs gen0 ${per100('gen0')} gen1 ${per100('gen1')} gen2 ${per100('gen2')}, GC pause ${((gcAfter.pause - gcBefore.pause) * 1e6 / n).toFixed(0)} µs/request, allocated ${((gcAfter.allocated - gcBefore.allocated) / n / 1024).toFixed(0)} KB/request`
  : '';
console.log(`server CPU ${(used * 1000 / n).toFixed(0)} µs/request, wall ${(wall * 1000 / n).toFixed(0)} µs/request over ${n} (answer ${bytes} bytes)${gcText}`);
