// TSBS query types written in InfluxQL and in SQL, timed on tsdb (InfluxQL through GET /query, SQL through
// POST /api/v3/query_sql) and, in InfluxQL, on a real InfluxDB 1.6.7 holding the same lines.
// usage: node bench/influxql-comparison.mjs --url http://127.0.0.1:PORT --influxdb http://127.0.0.1:PORT
//          [--db bench] [--hosts 1000] [--runs 10] [--warmups 2] [--only a,b] [--explain a,b] [--curl false]
// The InfluxQL texts are those TSBS's influx generator (cmd/tsbs_generate_queries/databases/influx/devops.go) emits,
// with the times and hosts of bench/query-comparison.mjs; the SQL texts are query-comparison.mjs's. Where the two
// differ in meaning, the InfluxQL side follows the SQL side (see the notes by the queries), so that all three answer
// the same rows. Runs are interleaved (tsdb InfluxQL, tsdb SQL, InfluxDB 1.6.7, then again) so that the shared
// machine's drift falls on all three alike. Row counts must agree across the three, or the script exits with 1.
// --explain prints tsdb's EXPLAIN ANALYZE of both texts for the named queries after the table (the median of 5).

import { execFileSync } from 'node:child_process';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const url = args.url ?? 'http://127.0.0.1:18181';
const influxdb = args.influxdb;
const db = args.db ?? 'bench';
const runs = Number(args.runs ?? 10);
const warmups = Number(args.warmups ?? 2);
const hosts = Number(args.hosts ?? 1000);
if (!influxdb) { console.error('--influxdb URL (InfluxDB 1.6.7) is required'); process.exit(2); }

// query-comparison.mjs's hosts, folded into the generated host count (its lists assume 1,000 hosts).
const host = (n) => `host_${n % hosts}`;
const eight = [...new Set([0, 20, 41, 62, 83, 104, 125, 146].map(host))];
const or = (names) => `(${names.map((h) => `hostname = '${h}'`).join(' or ')})`;
const inList = (names) => `(${names.map((h) => `'${h}'`).join(', ')})`;
const metrics = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq', 'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice'];
const aggs = (fn, n, sep = ', ') => metrics.slice(0, n).map((m) => `${fn}(${m})`).join(sep);

// [name, InfluxQL, SQL]. Times fall inside the generated data (2016-01-01T00:00Z onwards, one point per host every 10 s).
const queries = [
  ['single-groupby-1-1-1',
    `SELECT ${aggs('max', 1)} from cpu where ${or([host(3)])} and time >= '2016-01-01T08:10:00Z' and time < '2016-01-01T09:10:00Z' group by time(1m)`,
    `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) AS max_usage_user FROM cpu WHERE hostname = '${host(3)}' AND time >= '2016-01-01T08:10:00Z' AND time < '2016-01-01T09:10:00Z' GROUP BY 1 ORDER BY 1`],
  ['single-groupby-1-1-12',
    `SELECT ${aggs('max', 1)} from cpu where ${or([host(3)])} and time >= '2016-01-01T08:00:00Z' and time < '2016-01-01T20:00:00Z' group by time(1m)`,
    `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) AS max_usage_user FROM cpu WHERE hostname = '${host(3)}' AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z' GROUP BY 1 ORDER BY 1`],
  ['single-groupby-1-8-1',
    `SELECT ${aggs('max', 1)} from cpu where ${or(eight)} and time >= '2016-01-01T08:10:00Z' and time < '2016-01-01T09:10:00Z' group by time(1m)`,
    `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) AS max_usage_user FROM cpu WHERE hostname IN ${inList(eight)} AND time >= '2016-01-01T08:10:00Z' AND time < '2016-01-01T09:10:00Z' GROUP BY 1 ORDER BY 1`],
  ['single-groupby-5-1-12',
    `SELECT ${aggs('max', 5)} from cpu where ${or([host(11)])} and time >= '2016-01-01T08:00:00Z' and time < '2016-01-01T20:00:00Z' group by time(1m)`,
    `SELECT date_bin(INTERVAL '1 minute', time) AS minute, ${aggs('max', 5)} FROM cpu WHERE hostname = '${host(11)}' AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z' GROUP BY 1 ORDER BY 1`],
  // TSBS's influx generator groups cpu-max-all by time(1m) where its description and its SQL targets say per hour;
  // per hour here, as in query-comparison.mjs.
  ['cpu-max-all-1',
    `SELECT ${aggs('max', 10, ',')} from cpu where ${or([host(7)])} and time >= '2016-01-01T00:00:00Z' and time < '2016-01-01T08:00:00Z' group by time(1h)`,
    `SELECT date_bin(INTERVAL '1 hour', time) AS hour, ${aggs('max', 10)} FROM cpu WHERE hostname IN ('${host(7)}') AND time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T08:00:00Z' GROUP BY 1 ORDER BY 1`],
  ['double-groupby-1',
    `SELECT ${aggs('mean', 1)} from cpu where time >= '2016-01-01T04:00:00Z' and time < '2016-01-01T16:00:00Z' group by time(1h),hostname`,
    `SELECT hostname, date_bin(INTERVAL '1 hour', time) AS hour, avg(usage_user) AS mean_usage_user FROM cpu WHERE time >= '2016-01-01T04:00:00Z' AND time < '2016-01-01T16:00:00Z' GROUP BY 1, 2 ORDER BY 1, 2`],
  ['double-groupby-5',
    `SELECT ${aggs('mean', 5)} from cpu where time >= '2016-01-01T04:00:00Z' and time < '2016-01-01T16:00:00Z' group by time(1h),hostname`,
    `SELECT hostname, date_bin(INTERVAL '1 hour', time) AS hour, ${aggs('avg', 5)} FROM cpu WHERE time >= '2016-01-01T04:00:00Z' AND time < '2016-01-01T16:00:00Z' GROUP BY 1, 2 ORDER BY 1, 2`],
  ['double-groupby-all',
    `SELECT ${aggs('mean', 10)} from cpu where time >= '2016-01-01T04:00:00Z' and time < '2016-01-01T16:00:00Z' group by time(1h),hostname`,
    `SELECT hostname, date_bin(INTERVAL '1 hour', time) AS hour, ${aggs('avg', 10)} FROM cpu WHERE time >= '2016-01-01T04:00:00Z' AND time < '2016-01-01T16:00:00Z' GROUP BY 1, 2 ORDER BY 1, 2`],
  ['high-cpu-1',
    `SELECT * from cpu where usage_user > 90.0 and ${or([host(5)])} and time >= '2016-01-01T08:00:00Z' and time < '2016-01-01T20:00:00Z'`,
    `SELECT * FROM cpu WHERE usage_user > 90 AND hostname = '${host(5)}' AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z' ORDER BY time`],
  ['high-cpu-all',
    `SELECT * from cpu where usage_user > 90.0 and time >= '2016-01-01T08:00:00Z' and time < '2016-01-01T20:00:00Z'`,
    `SELECT * FROM cpu WHERE usage_user > 90 AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z' ORDER BY time`],
  // TSBS's influx text is `… group by time(1m) limit 5`, which InfluxQL answers with the FIRST five minutes; its
  // description and its SQL targets mean the last five, so ORDER BY time DESC here, as the SQL.
  ['groupby-orderby-limit',
    `SELECT max(usage_user) from cpu WHERE time < '2016-01-01T12:00:00Z' group by time(1m) ORDER BY time DESC limit 5`,
    `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) FROM cpu WHERE time < '2016-01-01T12:00:00Z' GROUP BY 1 ORDER BY 1 DESC LIMIT 5`],
  // TSBS's InfluxQL returns every column of each host's last row; the SQL asks for the same (query-comparison.mjs
  // asks for three columns only).
  ['lastpoint',
    `SELECT * from cpu group by "hostname" order by time desc limit 1`,
    `SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC`],
];

async function influxql(base, q) {
  const response = await fetch(`${base}/query?db=${encodeURIComponent(db)}&epoch=ns&q=${encodeURIComponent(q)}`);
  const text = await response.text();
  if (!response.ok) throw new Error(`${base} ${response.status}: ${text.slice(0, 500)}`);
  const result = JSON.parse(text).results?.[0] ?? {};
  if (result.error) throw new Error(`${base}: ${result.error}\n  ${q}`);
  return (result.series ?? []).reduce((n, s) => n + s.values.length, 0);
}
async function sql(q) {
  const response = await fetch(`${url}/api/v3/query_sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ db, q, format: 'json' }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`tsdb SQL ${response.status}: ${text.slice(0, 500)}\n  ${q}`);
  return JSON.parse(text).length;
}

const total = async (base) => {
  const response = await fetch(`${base}/query?db=${encodeURIComponent(db)}&q=${encodeURIComponent('SELECT count(usage_user) FROM cpu')}`);
  return (await response.json()).results[0].series?.[0].values[0][1];
};
console.log(`rows: tsdb ${await total(url)}, InfluxDB 1.6.7 ${await total(influxdb)} (SELECT count(usage_user) FROM cpu through /query)`);

const sides = [
  (q) => influxql(url, q[1]),
  (q) => sql(q[2]),
  (q) => influxql(influxdb, q[1]),
];
async function measure(query) {
  const rows = [0, 0, 0];
  for (let w = 0; w < warmups; w++) for (let s = 0; s < sides.length; s++) rows[s] = await sides[s](query);
  const samples = sides.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let s = 0; s < sides.length; s++) {
      const started = process.hrtime.bigint();
      await sides[s](query);
      samples[s].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  return samples.map((xs, s) => {
    xs.sort((a, b) => a - b);
    return { rows: rows[s], median: xs[Math.floor(xs.length / 2)], p90: xs[Math.floor(xs.length * 0.9)] };
  });
}

const only = args.only ? new Set(args.only.split(',')) : null;
const ms = (x) => `${x.median.toFixed(1)} / ${x.p90.toFixed(1)}`;
console.log('| query | tsdb InfluxQL ms (median / p90) | tsdb SQL ms (median / p90) | InfluxQL / SQL | InfluxDB 1.6.7 ms (median / p90) | 1.6.7 / tsdb InfluxQL | rows |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
let mismatch = false;
for (const query of queries) {
  if (only && !only.has(query[0])) continue;
  const [iql, sq, old] = await measure(query);
  const same = iql.rows === sq.rows && iql.rows === old.rows;
  if (!same || iql.rows === 0) mismatch = true;
  const rows = same ? `${iql.rows}` : `InfluxQL ${iql.rows}, SQL ${sq.rows}, 1.6.7 ${old.rows}`;
  console.log(`| ${query[0]} | ${ms(iql)} | ${ms(sq)} | ${(iql.median / sq.median).toFixed(2)} | ${ms(old)} | ${(old.median / iql.median).toFixed(1)}× | ${rows} |`);
}

// The same InfluxQL texts through curl: one curl process per side and query sends them over one keep-alive connection
// (--compressed: gzip or brotli asked for and inflated as they arrive) and reports each transfer's time. Node's fetch
// costs 0.5-1 ms a request on this machine and inflates compressed answers on another thread; curl costs about
// 0.07 ms, so this table is closer to what the servers themselves take (TSBS's own Go client is of this kind).
function curlTimes(base, q) {
  const target = `${base}/query?db=${encodeURIComponent(db)}&epoch=ns&q=${encodeURIComponent(q)}`;
  const count = warmups + runs;
  const out = execFileSync('curl', ['-sS', '--compressed', '-w', '%{http_code} %{time_total}\\n',
    ...Array.from({ length: count }, () => ['-o', '/dev/null', target]).flat()], { maxBuffer: 1 << 24 }).toString();
  const lines = out.trim().split('\n').map((l) => l.split(' '));
  if (lines.length !== count || lines.some(([status]) => status !== '200')) throw new Error(`curl ${base}: ${out.slice(0, 300)}`);
  const xs = lines.slice(warmups).map(([, t]) => Number(t) * 1000).sort((a, b) => a - b);
  return { median: xs[Math.floor(xs.length / 2)], p90: xs[Math.floor(xs.length * 0.9)] };
}
if (args.curl !== 'false') {
  console.log(`\nThrough curl (keep-alive, --compressed; ${warmups} warm-ups, then the median / p90 of ${runs}; tsdb and 1.6.7 alternate by query):\n`);
  console.log('| query | tsdb InfluxQL ms (median / p90) | InfluxDB 1.6.7 ms (median / p90) | 1.6.7 / tsdb |');
  console.log('|---|---:|---:|---:|');
  for (const query of queries) {
    if (only && !only.has(query[0])) continue;
    const ours = curlTimes(url, query[1]);
    const theirs = curlTimes(influxdb, query[1]);
    const ms2 = (x) => `${x.median.toFixed(2)} / ${x.p90.toFixed(2)}`;
    console.log(`| ${query[0]} | ${ms2(ours)} | ${ms2(theirs)} | ${(theirs.median / ours.median).toFixed(1)}× |`);
  }
}

// EXPLAIN ANALYZE five times, printing the run whose total time is the median (one run alone is noisy here).
for (const name of args.explain ? args.explain.split(',') : []) {
  const query = queries.find((q) => q[0] === name);
  if (!query) { console.error(`--explain: no query ${name}`); continue; }
  for (const [label, endpoint, text] of [['InfluxQL', 'query_influxql', query[1]], ['SQL', 'query_sql', query[2]]]) {
    const plans = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${url}/api/v3/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ db, q: `EXPLAIN ANALYZE ${text}`, format: 'json' }) });
      const body = await response.text();
      if (!response.ok) { plans.push({ elapsed: 0, text: body }); break; }
      const rows = JSON.parse(body);
      const total = rows.find((r) => r.plan_type === 'Query')?.plan ?? '';
      plans.push({ elapsed: Number(/elapsed=([0-9.]+)ms/.exec(total)?.[1] ?? 0), text: rows.map((r) => `${r.plan_type}\n${r.plan}`).join('\n') });
    }
    plans.sort((a, b) => a.elapsed - b.elapsed);
    console.log(`\n### ${name}, ${label}: EXPLAIN ANALYZE ${text}\n${plans[Math.floor(plans.length / 2)].text}`);
  }
}
if (mismatch) { console.error('row counts differ between the three, or a query answered no rows'); process.exit(1); }
