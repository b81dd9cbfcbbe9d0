// Writes Parquet files with an independent engine, each beside the canonical JSON of its rows (from the data as
// the engine holds it, not from reading the file back with our code).
// usage: node write.mjs duckdb|wasm OUTDIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromArrowTable } from './canonical.mjs';

const [engine, out] = process.argv.slice(2);

async function duckdb() {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`CREATE TABLE t AS SELECT
      range::BIGINT AS id,
      CASE WHEN range % 7 = 3 THEN NULL ELSE (range * 1.5)::DOUBLE / 7 END AS d,
      ('host_' || (range % 10))::VARCHAR AS tag,
      CASE WHEN range % 5 = 0 THEN NULL ELSE 'zażółć ' || range END AS s,
      range % 3 = 0 AS b,
      make_timestamp_ns(1704067200123456789 + range * 1000000007) AS ts_ns,
      make_timestamp(1704067200123456 + range * 1000003) AS ts_us,
      (range % 1000)::INTEGER AS i32,
      (range / 3)::FLOAT AS f32,
      (18446744073709551615 - range)::UBIGINT AS u64,
      CASE WHEN range % 4 = 0 THEN NULL ELSE ('\\xAA\\xBB'::BLOB || range::VARCHAR::BLOB) END AS bin
    FROM range(10000)`);
  for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli']) {
    const path = join(out, `duckdb-${codec}.parquet`);
    await c.run(`COPY t TO '${path}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 4096)`);
  }
  // The expected values: DuckDB's own table, in the canonical form read.mjs produces.
  return c;
}

async function wasm() {
  const parquet = await import('parquet-wasm');
  const arrow = await import('apache-arrow');
  const { Table, vectorFromArray, makeData, Int64, Float64, Float32, Int32, Uint64, Bool, Utf8, Dictionary, TimestampNanosecond, Field, Schema, RecordBatch, Struct, tableToIPC } = arrow;
  const n = 5000;
  const valid = Array.from({ length: n }, (_, i) => i % 7 !== 3);
  const nulls = valid.filter((v) => !v).length;
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  valid.forEach((v, i) => { if (v) bitmap[i >> 3] |= 1 << (i & 7); });
  const fields = [
    new Field('id', new Int64(), false),
    new Field('d', new Float64(), true),
    new Field('tag', new Dictionary(new Utf8(), new Int32()), true),
    new Field('s', new Utf8(), true),
    new Field('b', new Bool(), true),
    new Field('ts', new TimestampNanosecond(), true),
    new Field('i32', new Int32(), true),
    new Field('f32', new Float32(), true),
    new Field('u64', new Uint64(), true),
  ];
  const children = [
    makeData({ type: fields[0].type, length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1000003n - 17n) }),
    vectorFromArray(Array.from({ length: n }, (_, i) => (valid[i] ? i * 0.25 - 100 : null)), fields[1].type).data[0],
    vectorFromArray(Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : `host_${i % 13}`)), fields[2].type).data[0],
    vectorFromArray(Array.from({ length: n }, (_, i) => (valid[i] ? `prefix-shared-${Math.floor(i / 3)}-ü` : null)), fields[3].type).data[0],
    vectorFromArray(Array.from({ length: n }, (_, i) => (valid[i] ? i % 3 === 0 : null)), fields[4].type).data[0],
    makeData({ type: fields[5].type, length: n, nullCount: nulls, nullBitmap: bitmap, data: BigInt64Array.from({ length: n }, (_, i) => 1704067200123456789n + BigInt(i) * 1000000007n) }),
    vectorFromArray(Array.from({ length: n }, (_, i) => (valid[i] ? (i * 7919) % 100000 - 50000 : null)), fields[6].type).data[0],
    vectorFromArray(Array.from({ length: n }, (_, i) => (valid[i] ? i / 8 : null)), fields[7].type).data[0],
    makeData({ type: fields[8].type, length: n, nullCount: nulls, nullBitmap: bitmap, data: BigUint64Array.from({ length: n }, (_, i) => 18446744073709551615n - BigInt(i)) }),
  ];
  const schema = new Schema(fields);
  const table = new Table([new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children }))]);
  const expected = fromArrowTable(table);
  const C = parquet.Compression;
  const E = parquet.Encoding;
  const variants = [
    ['plain-v1', C.UNCOMPRESSED, parquet.WriterVersion.V1, false],
    ['snappy-v1', C.SNAPPY, parquet.WriterVersion.V1, true],
    ['gzip-v2', C.GZIP, parquet.WriterVersion.V2, true],
    ['zstd-v2', C.ZSTD, parquet.WriterVersion.V2, true],
    ['lz4raw-v2', C.LZ4_RAW, parquet.WriterVersion.V2, true],
    ['delta-v2', C.ZSTD, parquet.WriterVersion.V2, 'delta'],
  ];
  for (const [name, codec, version, dictionary] of variants) {
    let builder = new parquet.WriterPropertiesBuilder().setCompression(codec).setWriterVersion(version).setMaxRowGroupSize(2000).setDataPageSizeLimit(4096);
    if (dictionary === 'delta') {
      builder = builder.setDictionaryEnabled(false)
        .setColumnEncoding('id', E.DELTA_BINARY_PACKED).setColumnEncoding('i32', E.DELTA_BINARY_PACKED)
        .setColumnEncoding('ts', E.DELTA_BINARY_PACKED).setColumnEncoding('u64', E.DELTA_BINARY_PACKED)
        .setColumnEncoding('s', E.DELTA_BYTE_ARRAY).setColumnEncoding('tag', E.DELTA_LENGTH_BYTE_ARRAY)
        .setColumnEncoding('d', E.BYTE_STREAM_SPLIT).setColumnEncoding('f32', E.BYTE_STREAM_SPLIT);
    } else {
      builder = builder.setDictionaryEnabled(dictionary);
    }
    const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), builder.build());
    writeFileSync(join(out, `wasm-${name}.parquet`), bytes);
    writeFileSync(join(out, `wasm-${name}.parquet.json`), JSON.stringify(expected));
  }
}

if (engine === 'duckdb') {
  await duckdb();
} else {
  await wasm();
}
