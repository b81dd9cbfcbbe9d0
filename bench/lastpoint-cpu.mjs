// lastpoint's cost on a running tsdb holding bench data (bench/query-comparison.sh's 10 M TSBS cpu lines): for the
// SQL texts of query-comparison.mjs and influxql-comparison.mjs and the InfluxQL text, 2 warm-ups, EXPLAIN ANALYZE
// 5 times (median of the Query row's elapsed, and that run's FirstPerKeyExec and ScanExec lines), then N timed runs:
// wall median and p90, and the server's CPU time per query from /proc/<pid>/stat (utime + stime) before and after,
// which a shared machine's load distorts far less than wall time.
// usage: node bench/lastpoint-cpu.mjs URL SERVER_PID [N=20]
import { readFileSync } from 'node:fs';
const [url, pid, n] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 20)];
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; }; // ms (CLK_TCK 100)
const texts = [
  ['SQL 3 columns (query-comparison)', 'query_sql', 'SELECT DISTINCT ON (hostname) hostname, time, usage_user FROM cpu ORDER BY hostname, time DESC'],
  ['SQL * (influxql-comparison)', 'query_sql', 'SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC'],
  ['InfluxQL', 'query_influxql', 'SELECT * from cpu group by "hostname" order by time desc limit 1'],
];
const post = async (endpoint, q) => {
  const r = await fetch(`${url}/api/v3/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' }, body: JSON.stringify({ db: 'bench', q, format: 'json' }) });
  const body = await r.text();
  if (!r.ok) throw new Error(body);
  return JSON.parse(body);
};
for (const [label, endpoint, q] of texts) {
  for (let i = 0; i < 2; i++) await post(endpoint, q);
  const plans = [];
  for (let i = 0; i < 5; i++) {
    const rows = await post(endpoint, `EXPLAIN ANALYZE ${q}`);
    const total = rows.find((r) => r.plan_type === 'Query')?.plan ?? '';
    const plan = rows.find((r) => r.plan_type === 'Plan with Metrics')?.plan ?? '';
    plans.push({ elapsed: Number(/elapsed=([0-9.]+)ms/.exec(total)?.[1] ?? 0), fpk: plan.split('\n').find((l) => l.includes('FirstPerKeyExec')) ?? '', scan: plan.split('\n').find((l) => l.trimStart().startsWith('ScanExec')) ?? '' });
  }
  plans.sort((a, b) => a.elapsed - b.elapsed);
  const times = [];
  let rows = 0;
  const c0 = cpu();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await post(endpoint, q);
    times.push(performance.now() - t0);
    rows = r.length;
  }
  const c1 = cpu();
  times.sort((a, b) => a - b);
  console.log(`${label}: rows ${rows}; wall median ${times[Math.floor(n / 2)].toFixed(1)} ms, p90 ${times[Math.floor(n * 0.9)].toFixed(1)} ms; server CPU ${((c1 - c0) / n).toFixed(1)} ms/query over ${n}; EXPLAIN ANALYZE median ${plans[2].elapsed} ms (all: ${plans.map((p) => p.elapsed).join(', ')})`);
  console.log(`  ${plans[2].fpk.trim()}`);
  console.log(`  ${plans[2].scan.trim()}`);
}
