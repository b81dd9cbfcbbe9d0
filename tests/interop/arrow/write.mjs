// Writes Arrow IPC streams and files with apache-arrow, each beside the canonical JSON of what was written.
// usage: node write.mjs OUTDIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Table, RecordBatch, makeData, Struct, Field, Schema, Int64, Uint64, Int32, Float64, Bool, Utf8, Binary,
  TimestampNanosecond, TimestampMillisecond, LargeUtf8, Dictionary, vectorFromArray, tableToIPC, CompressionType, RecordBatchStreamWriter,
} from 'apache-arrow';
import { canonical, registerZstd } from './canonical.mjs';

await registerZstd();
const out = process.argv[2];

function bitmap(valid) {
  const bytes = new Uint8Array(Math.ceil(valid.length / 8));
  valid.forEach((v, i) => { if (v) bytes[i >> 3] |= 1 << (i & 7); });
  return bytes;
}

// A deterministic generator so a failure reproduces.
let seed = 12345;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);

const fields = [
  new Field('time', new TimestampNanosecond(), false),
  new Field('host', new Dictionary(new Utf8(), new Int32()), true),
  new Field('usage', new Float64(), true),
  new Field('counter', new Int64(), true),
  new Field('big', new Uint64(), true),
  new Field('ok', new Bool(), true),
  new Field('note', new Utf8(), true),
  new Field('raw', new Binary(), true),
  new Field('ms', new TimestampMillisecond('UTC'), true),
  new Field('large', new LargeUtf8(), true),
];

const schema = new Schema(fields, new Map([['origin', 'apache-arrow js']]));

function batch(rows, hostPool) {
  const valid = Array.from({ length: rows }, (_, i) => i % 7 !== 3);
  const nulls = valid.filter((v) => !v).length;
  const time = BigInt64Array.from({ length: rows }, (_, i) => 1700000000123456789n + BigInt(i) * 10000000001n);
  const usage = Float64Array.from({ length: rows }, (_, i) => (i === 5 ? -0 : i === 6 ? Number.NaN : next() / 3.7));
  const counter = BigInt64Array.from({ length: rows }, (_, i) => BigInt(next()) * (i % 2 ? -1n : 1n) * 4294967296n);
  const big = BigUint64Array.from({ length: rows }, (_, i) => 18446744073709551615n - BigInt(i));
  const hosts = Array.from({ length: rows }, (_, i) => (valid[i] ? hostPool[next() % hostPool.length] : null));
  const children = [
    makeData({ type: fields[0].type, length: rows, data: time }),
    vectorFromArray(hosts, fields[1].type).data[0],
    makeData({ type: fields[2].type, length: rows, nullCount: nulls, nullBitmap: bitmap(valid), data: usage }),
    makeData({ type: fields[3].type, length: rows, nullCount: nulls, nullBitmap: bitmap(valid), data: counter }),
    makeData({ type: fields[4].type, length: rows, nullCount: nulls, nullBitmap: bitmap(valid), data: big }),
    vectorFromArray(Array.from({ length: rows }, (_, i) => (valid[i] ? i % 3 === 0 : null)), fields[5].type).data[0],
    vectorFromArray(Array.from({ length: rows }, (_, i) => (valid[i] ? `zażółć ${i} 😀 "q" \\` : null)), fields[6].type).data[0],
    vectorFromArray(Array.from({ length: rows }, (_, i) => (valid[i] ? Uint8Array.from([i & 255, 0, 255]) : null)), fields[7].type).data[0],
    makeData({ type: fields[8].type, length: rows, nullCount: nulls, nullBitmap: bitmap(valid), data: BigInt64Array.from({ length: rows }, (_, i) => 1700000000123n + BigInt(i)) }),
    vectorFromArray(Array.from({ length: rows }, (_, i) => (valid[i] ? `large ${i} ✓` : null)), fields[9].type).data[0],
  ];
  const data = makeData({ type: new Struct(fields), length: rows, children });
  return new RecordBatch(schema, data);
}

function save(name, table, format, compression) {
  const options = compression === undefined ? undefined : { compressionType: compression };
  let bytes;
  if (options) {
    const writer = new RecordBatchStreamWriter(options);
    bytes = writer.writeAll(table).toUint8Array(true);
  } else {
    bytes = tableToIPC(table, format);
  }
  writeFileSync(join(out, name), bytes);
  writeFileSync(join(out, `${name}.json`), JSON.stringify(canonical(table)));
}

const one = new Table([batch(100, ['a', 'b', 'host-ü'])]);
save('js-stream.arrows', one, 'stream');
save('js-file.arrow', one, 'file');
// Several batches whose dictionaries differ: the writer sends replacements or deltas.
const many = new Table([batch(50, ['a', 'b']), batch(40, ['a', 'b', 'c', 'd']), batch(30, ['x'])]);
save('js-multi.arrows', many, 'stream');
save('js-zstd.arrows', many, 'stream', CompressionType.ZSTD);
save('js-empty.arrows', new Table([batch(0, ['a'])]), 'stream');
