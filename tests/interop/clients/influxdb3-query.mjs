// Writes and queries through the real InfluxDB 3 client on ONE URL (HTTP writes, gRPC Flight queries) and
// reports what it saw as JSON. usage: node influxdb3-query.mjs URL TOKEN DATABASE
import { InfluxDBClient, Point } from '@influxdata/influxdb3-client';

const [host, token, database] = process.argv.slice(2);
const client = new InfluxDBClient({ host, token, database });
const result = {};

const points = [];
for (let i = 0; i < 6; i++) {
  points.push(Point.measurement('flightq')
    .setTag('host', `h${i % 2}`)
    .setFloatField('usage', i * 1.5)
    .setIntegerField('n', i - 2)
    .setBooleanField('ok', i % 3 === 0)
    .setStringField('note', `note "${i}"`)
    .setTimestamp(1700000000000000000n + BigInt(i) * 1000000000n));
}
await client.write(points);

// Rows of a parameterised query, values as the client decodes them.
result.rows = [];
for await (const row of client.query('SELECT time, host, usage, n, ok, note FROM flightq WHERE host = $host AND n > $min ORDER BY time', database, { type: 'sql', params: { host: 'h1', min: -2 } })) {
  result.rows.push({ time: String(row.time), host: row.host, usage: row.usage, n: row.n, ok: row.ok, note: row.note });
}

// Points: column kinds come from iox::column::type metadata.
result.points = [];
for await (const p of client.queryPoints('SELECT * FROM flightq WHERE usage >= $u ORDER BY time LIMIT 2', database, { params: { u: 3 } })) {
  result.points.push({
    tags: p.getTagNames(),
    fields: Object.fromEntries(p.getFieldNames().map(f => [f, p.getFieldType(f)])),
    usage: p.getFloatField('usage'),
    n: p.getIntegerField('n'),
    timestamp: String(p.getTimestamp()),
  });
}

async function failure(promiseFn) {
  try {
    await promiseFn();
    return null;
  } catch (e) {
    return { code: e.code ?? null, message: e.message };
  }
}

async function drain(gen) {
  // eslint-disable-next-line no-unused-vars
  for await (const _ of gen) { /* read all */ }
}

result.badSql = await failure(() => drain(client.query('SELEKT 1', database)));
result.unknownDb = await failure(() => drain(client.query('SELECT 1', 'no_such_db')));
// InfluxQL through Flight (query_type "influxql"): rows with the iox::measurement column and the GROUP BY tags.
result.influxql = [];
for await (const row of client.query('SELECT mean(usage) FROM flightq GROUP BY host', database, { type: 'influxql' })) {
  result.influxql.push({ measurement: row['iox::measurement'], time: String(row.time), host: row.host, mean: row.mean });
}
result.badInfluxql = await failure(() => drain(client.query('SELECT FROM flightq', database, { type: 'influxql' })));

const anonymous = new InfluxDBClient({ host, token: '', database });
result.noToken = await failure(() => drain(anonymous.query('SELECT 1', database)));
await anonymous.close();
const wrong = new InfluxDBClient({ host, token: 'apiv3_wrong', database });
result.wrongToken = await failure(() => drain(wrong.query('SELECT 1', database)));
await wrong.close();

await client.close();
process.stdout.write(JSON.stringify(result));
