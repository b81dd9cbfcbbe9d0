// Writes through the real InfluxDB 3 client and reports what happened as JSON.
// usage: node influxdb3-write.mjs URL TOKEN DATABASE
import { InfluxDBClient, Point } from '@influxdata/influxdb3-client';

const [host, token, database] = process.argv.slice(2);
const client = new InfluxDBClient({ host, token, database });
const result = { written: 0, refused: null, unauthorized: null };

// Default path: /api/v2/write with gzip above 1000 bytes.
const points = [];
for (let i = 0; i < 500; i++) {
  points.push(Point.measurement('v3client').setTag('host', `h${i % 5}`).setFloatField('usage', i / 4).setIntegerField('n', i).setTimestamp(1700000000000000000n + BigInt(i) * 1000n));
}
await client.write(points);
result.written += points.length;

// no_sync path: /api/v3/write_lp with second precision.
await client.write(['v3client,host=ns usage=1.25,n=9000i 1700000100', 'v3client,host=ns usage=2.5,n=9001i 1700000101'], database, undefined, { noSync: true, precision: 's' });
result.written += 2;

try {
  await client.write('v3client,host=bad usage="text" 1700000000000000001');
} catch (e) {
  result.refused = { status: e.statusCode ?? null, message: e.message };
}

const anonymous = new InfluxDBClient({ host, token: 'apiv3_wrong', database });
try {
  await anonymous.write('v3client,host=x usage=1');
} catch (e) {
  result.unauthorized = { status: e.statusCode ?? null };
}
await anonymous.close();
await client.close();
process.stdout.write(JSON.stringify(result));
