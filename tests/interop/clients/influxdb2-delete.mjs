// Deletes through the real InfluxDB 2 client's DeleteAPI (POST /api/v2/delete) and reports the outcome as JSON.
// usage: node influxdb2-delete.mjs URL TOKEN BUCKET START STOP PREDICATE
import { InfluxDB, HttpError } from '@influxdata/influxdb-client';
import { DeleteAPI } from '@influxdata/influxdb-client-apis';

const [url, token, bucket, start, stop, predicate] = process.argv.slice(2);
const api = new DeleteAPI(new InfluxDB({ url, token }));
try {
  await api.postDelete({ org: 'my-org', bucket, body: { start, stop, predicate } });
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, status: e instanceof HttpError ? e.statusCode : null, body: e.body ?? String(e) }));
}
