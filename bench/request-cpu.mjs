// What one small request costs a server: N sequential GETs over one keep-alive connection (Node's fetch, answers not
// compressed), and the server process's CPU time (utime + stime from /proc/<pid>/stat) before and after, which a
// shared machine's load distorts far less than wall time. Works for any server on this machine (tsdb, influxd), so
// both sides of a comparison are measured the same way; the client's own cost (about 1 ms a request with fetch under
// load) is in the wall time, not in the CPU time.
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
for (let i = 0; i < warmup; i++) await once();
const before = cpu();
const started = process.hrtime.bigint();
for (let i = 0; i < n; i++) await once();
const wall = Number(process.hrtime.bigint() - started) / 1e6;
const used = (cpu() - before) * 1000;
console.log(`server CPU ${(used * 1000 / n).toFixed(0)} µs/request, wall ${(wall * 1000 / n).toFixed(0)} µs/request over ${n} (answer ${bytes} bytes)`);
