// TSBS query types against a running tsdb (HTTP /api/v3/query_sql) and DuckDB over the same Parquet files.
// usage: node bench/query-comparison.mjs --url http://127.0.0.1:18181 --db bench --store-root DIR [--runs 20] [--only a,b]
// DuckDB reads exactly the files the catalog lists (system.parquet_files), found under the object store root DIR;
// files that compaction replaced but has not deleted yet (the deletion grace) are left out.
// Prints, per query, the median and p90 latency of each side and the row counts (which must agree).
// DuckDB runs in this process with its default threads (2 here); tsdb's figure includes HTTP and JSON encoding.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/interop/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const url = args.url ?? 'http://127.0.0.1:18181';
const db = args.db ?? 'bench';
const runs = Number(args.runs ?? 20);
if (!args['store-root']) { console.error('--store-root DIR (the file object store root) is required'); process.exit(2); }

// Times fall inside the generated data (2016-01-01T00:00Z onwards, one point per host every 10 s).
const queries = [
  ['single-groupby-1-1-1', `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) AS max_usage_user FROM cpu WHERE hostname = 'host_3' AND time >= '2016-01-01T08:10:00Z' AND time < '2016-01-01T09:10:00Z' GROUP BY 1 ORDER BY 1`],
  ['single-groupby-1-1-12', `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) AS max_usage_user FROM cpu WHERE hostname = 'host_3' AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z' GROUP BY 1 ORDER BY 1`],
  ['single-groupby-1-8-1', `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) AS max_usage_user FROM cpu WHERE hostname IN ('host_0', 'host_20', 'host_41', 'host_62', 'host_83', 'host_104', 'host_125', 'host_146') AND time >= '2016-01-01T08:10:00Z' AND time < '2016-01-01T09:10:00Z' GROUP BY 1 ORDER BY 1`],
  ['single-groupby-5-1-12', `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user), max(usage_system), max(usage_idle), max(usage_nice), max(usage_iowait) FROM cpu WHERE hostname = 'host_11' AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z' GROUP BY 1 ORDER BY 1`],
  ['cpu-max-all-1', `SELECT date_bin(INTERVAL '1 hour', time) AS hour, max(usage_user), max(usage_system), max(usage_idle), max(usage_nice), max(usage_iowait), max(usage_irq), max(usage_softirq), max(usage_steal), max(usage_guest), max(usage_guest_nice) FROM cpu WHERE hostname IN ('host_7') AND time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T08:00:00Z' GROUP BY 1 ORDER BY 1`],
  ['double-groupby-1', `SELECT hostname, date_bin(INTERVAL '1 hour', time) AS hour, avg(usage_user) AS mean_usage_user FROM cpu WHERE time >= '2016-01-01T04:00:00Z' AND time < '2016-01-01T16:00:00Z' GROUP BY 1, 2 ORDER BY 1, 2`],
  ['high-cpu-1', `SELECT * FROM cpu WHERE usage_user > 90 AND hostname = 'host_5' AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z' ORDER BY time`],
  ['high-cpu-all', `SELECT * FROM cpu WHERE usage_user > 90 AND time >= '2016-01-01T08:00:00Z' AND time < '2016-01-01T20:00:00Z'`],
  ['groupby-orderby-limit', `SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage_user) FROM cpu WHERE time < '2016-01-01T12:00:00Z' GROUP BY 1 ORDER BY 1 DESC LIMIT 5`],
  ['lastpoint', `SELECT DISTINCT ON (hostname) hostname, time, usage_user FROM cpu ORDER BY hostname, time DESC`],
];

// DuckDB runs in this process: the server's answers uncompressed (fetch asks for gzip/br by default, which the
// server now honours), so the figures measure the query, not compressing JSON on loopback.
const headers = { 'content-type': 'application/json', 'accept-encoding': 'identity' };
if (args.token) headers.authorization = `Bearer ${args.token}`;
const listed = await fetch(`${url}/api/v3/query_sql`, { method: 'POST', headers, body: JSON.stringify({ db, q: "SELECT path, row_count FROM system.parquet_files WHERE table_name = 'cpu'", format: 'json' }) });
const files = await listed.json();
const paths = files.map((f) => `'${args['store-root']}/${f.path}'`);

const duck = await (await DuckDBInstance.create(':memory:')).connect();
await duck.run(`SET TimeZone = 'UTC'`);
await duck.run(`CREATE VIEW cpu AS SELECT * FROM read_parquet([${paths.join(', ')}])`);
const total = (await (await duck.runAndReadAll('SELECT count(*) FROM cpu')).getRows())[0][0];
const ourTotal = await (await fetch(`${url}/api/v3/query_sql`, { method: 'POST', headers, body: JSON.stringify({ db, q: 'SELECT count(*) AS n FROM cpu', format: 'json' }) })).json();
console.log(`${files.length} Parquet files; DuckDB sees ${total} rows, tsdb ${ourTotal[0].n}`);
async function ours(sql) {
  const response = await fetch(`${url}/api/v3/query_sql`, { method: 'POST', headers, body: JSON.stringify({ db, q: sql, format: 'json' }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`tsdb ${response.status}: ${text}`);
  return JSON.parse(text).length;
}
async function theirs(sql) {
  const reader = await duck.runAndReadAll(sql.replaceAll('date_bin(', 'time_bucket('));
  return reader.getRows().length;
}
async function time(fn, sql) {
  let rows = 0;
  for (let i = 0; i < 2; i++) rows = await fn(sql);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await fn(sql);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { rows, median: samples[Math.floor(samples.length / 2)], p90: samples[Math.floor(samples.length * 0.9)] };
}

console.log('| query | tsdb median ms | tsdb p90 ms | DuckDB median ms | DuckDB p90 ms | ratio | rows |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
let mismatch = false;
const only = args.only ? new Set(args.only.split(',')) : null;
for (const [name, sql] of queries) {
  if (only && !only.has(name)) continue;
  const a = await time(ours, sql);
  const b = await time(theirs, sql);
  if (a.rows !== b.rows) mismatch = true;
  console.log(`| ${name} | ${a.median.toFixed(1)} | ${a.p90.toFixed(1)} | ${b.median.toFixed(1)} | ${b.p90.toFixed(1)} | ${(a.median / b.median).toFixed(2)}× | ${a.rows}${a.rows === b.rows ? '' : ` (DuckDB ${b.rows})`} |`);
}
if (mismatch) { console.error('row counts differ'); process.exit(1); }
