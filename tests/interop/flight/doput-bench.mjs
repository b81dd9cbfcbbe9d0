// Manual measurement (not a test): DoPut of N rows (time, a dictionary tag, FIELDS float64 fields) to [put, TABLE].
// usage: node flight/doput-bench.mjs HOST:PORT ROWS [FIELDS=10] [TABLE=cpu] [START_NS]   (server started with
// --without-auth; several at once with different tables or start times make concurrent streams)
import { FlightClient } from './client.mjs';
import { Table, makeTable, vectorFromArray, makeVector, makeData, TimestampNanosecond, Dictionary, Utf8, Int32, Float64 } from 'apache-arrow';
const [address, rowsArg, fieldsArg = '10', tableName = 'cpu', startArg = '1700000000000000000'] = process.argv.slice(2);
const n = Number(rowsArg);
const fields = Number(fieldsArg);
const start = BigInt(startArg);
const cols = {};
cols.time = makeVector(makeData({ type: new TimestampNanosecond(), length: n, nullCount: 0, data: BigInt64Array.from({ length: n }, (_, i) => start + BigInt(i) * 1000000n) }));
cols.host = vectorFromArray(Array.from({ length: n }, (_, i) => `host_${i % 1000}`), new Dictionary(new Utf8(), new Int32()));
for (let f = 0; f < fields; f++) cols[`f${f}`] = vectorFromArray(Float64Array.from({ length: n }, (_, i) => i * 0.5 + f), new Float64());
const whole = makeTable(cols);
// Batches of 50,000 rows (about 4.6 MB each, under the server's 10 MiB message limit).
const table = new Table(Array.from({ length: Math.ceil(n / 50000) }, (_, k) => whole.slice(k * 50000, Math.min(n, (k + 1) * 50000)).batches).flat());
const c = new FlightClient(address, { database: 'put' });
const t0 = performance.now();
const acks = await c.doPut({ type: 1, path: ['put', tableName] }, table);
const s = (performance.now() - t0) / 1000;
console.log(`${n} rows in ${acks.length} batches: ${s.toFixed(2)} s = ${(n / s).toFixed(0)} rows/s`);
c.close();
