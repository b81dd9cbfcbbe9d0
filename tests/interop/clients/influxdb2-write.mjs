// Writes through the real InfluxDB 2 client (/api/v2/write, gzip) and reports what happened as JSON.
// usage: node influxdb2-write.mjs URL TOKEN BUCKET
import { InfluxDB, Point, HttpError } from '@influxdata/influxdb-client';

const [url, token, bucket] = process.argv.slice(2);
const result = { written: 0, conflict: null };
const writeApi = new InfluxDB({ url, token }).getWriteApi('my-org', bucket, 'ns', { gzipThreshold: 1, batchSize: 100000, maxRetries: 0 });
for (let i = 0; i < 1000; i++) {
  writeApi.writePoint(new Point('v2client')
    .tag('host', `h${i % 10}`)
    .floatField('usage', i * 0.5)
    .intField('count', i)
    .stringField('note', `n "${i}" \\ ok`)
    .booleanField('ok', i % 2 === 0)
    .timestamp(`${1700000000000000000n + BigInt(i)}`));
  result.written++;
  // Two requests, one after the other (the client sends full batches in the background, unordered).
  if (i === 499) await writeApi.flush();
}
// close() sends every pending batch and waits for the answers.
await writeApi.close();
// A type conflict must come back as a 400 the client reports (through its writeFailed callback).
const conflictApi = new InfluxDB({ url, token }).getWriteApi('my-org', bucket, 'ns', {
  maxRetries: 0,
  writeFailed: (e) => {
    result.conflict = { status: e instanceof HttpError ? e.statusCode : null, body: e.body ?? String(e) };
  },
});
conflictApi.writeRecord('v2client,host=x usage="text" 1700000000000009999');
try {
  await conflictApi.close();
} catch (e) {
  result.conflict ??= { status: e instanceof HttpError ? e.statusCode : null, body: e.body ?? String(e) };
}
process.stdout.write(JSON.stringify(result));
