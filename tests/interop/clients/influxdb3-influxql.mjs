// InfluxQL through the real InfluxDB 3 client: its Flight DoGet ticket carries "query_type":"influxql". Reports the rows
// and points it decoded as JSON. usage: node influxdb3-influxql.mjs URL TOKEN DATABASE
import { InfluxDBClient } from '@influxdata/influxdb3-client';

const [host, token, database] = process.argv.slice(2);
const client = new InfluxDBClient({ host, token, database });
const result = {};

async function rows(query) {
  const out = [];
  for await (const row of client.query(query, database, { type: 'influxql' })) {
    // Row values as the client decodes them; time as a string so no precision is lost on the way to C#.
    out.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v])));
  }
  return out;
}

async function failure(promiseFn) {
  try {
    await promiseFn();
    return null;
  } catch (e) {
    return { code: e.code ?? null, message: e.message };
  }
}

result.raw = await rows('SELECT "value", "n" FROM "cpu" WHERE "host" = \'a\' ORDER BY time');
result.grouped = await rows('SELECT mean("value") FROM "cpu" WHERE time >= \'2023-11-14T22:14:00Z\' AND time < \'2023-11-14T22:16:00Z\' GROUP BY time(1m), "host"');
result.two = await rows('SELECT "value", "used" FROM "mem", "cpu" WHERE "host" = \'b\' LIMIT 1');
result.measurements = await rows('SHOW MEASUREMENTS');
result.tagValues = await rows('SHOW TAG VALUES FROM "cpu" WITH KEY = "host"');

// Points: the measurement comes from the iox::measurement column, kinds from iox::column::type metadata.
result.points = [];
for await (const p of client.queryPoints('SELECT "value", "n", "host" FROM "cpu" WHERE "host" = \'b\' ORDER BY time', database, { type: 'influxql' })) {
  result.points.push({
    measurement: p.getMeasurement(),
    tags: p.getTagNames(),
    fields: Object.fromEntries(p.getFieldNames().map(f => [f, p.getFieldType(f)])),
    value: p.getFloatField('value'),
    n: p.getIntegerField('n'),
    timestamp: String(p.getTimestamp()),
  });
}

result.badQuery = await failure(async () => { await rows('SELECT FROM cpu'); });
result.unknownDb = await failure(async () => {
  for await (const _ of client.query('SELECT * FROM cpu', 'no_such_db', { type: 'influxql' })) { /* read all */ }
});

await client.close();
process.stdout.write(JSON.stringify(result));
