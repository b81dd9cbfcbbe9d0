// Reads Parquet files with an independent engine and prints one canonical JSON line per file.
// usage: node read.mjs duckdb|wasm|hyparquet FILE...
import { readFileSync } from 'node:fs';
import { fromArrowTable, floatBits, hex } from './canonical.mjs';

const [engine, ...files] = process.argv.slice(2);

async function duckdb() {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  return async (path) => {
    const file = path.replaceAll("'", "''");
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjects();
    const select = described.map((c) => {
      const name = `"${c.column_name.replaceAll('"', '""')}"`;
      return c.column_type.startsWith('TIMESTAMP') ? `epoch_ns(${name}) AS ${name}` : name;
    }).join(', ');
    const rows = (await connection.runAndReadAll(`SELECT ${select} FROM read_parquet('${file}')`)).getRowObjects();
    const columns = {};
    const types = {};
    for (const c of described) {
      types[c.column_name] = c.column_type;
      columns[c.column_name] = rows.map((row) => duckValue(c.column_type, row[c.column_name]));
    }
    const metadata = (await connection.runAndReadAll(
      `SELECT row_group_id, path_in_schema, type, stats_min, stats_max, stats_null_count, stats_min_value, stats_max_value, compression, encodings, total_compressed_size, num_values FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`)).getRowObjectsJson();
    const schema = (await connection.runAndReadAll(`SELECT name, type, logical_type, converted_type, repetition_type FROM parquet_schema('${file}')`)).getRowObjectsJson();
    return { columns, types, metadata, schema };
  };
}

function duckValue(type, value) {
  if (value === null || value === undefined) return null;
  if (type === 'DOUBLE') return floatBits(value, 64);
  if (type === 'FLOAT') return floatBits(value, 32);
  if (type === 'BOOLEAN') return value ? 'true' : 'false';
  if (type === 'BLOB') return hex(value.bytes);
  if (typeof value === 'bigint' || typeof value === 'number') return value.toString();
  return String(value);
}

async function wasm() {
  const parquet = await import('parquet-wasm');
  const { tableFromIPC } = await import('apache-arrow');
  return async (path) => {
    const table = tableFromIPC(parquet.readParquet(readFileSync(path)).intoIPCStream());
    return fromArrowTable(table);
  };
}

async function hyparquet() {
  const { parquetReadObjects, parquetMetadata, parquetSchema } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  return async (path) => {
    const bytes = readFileSync(path);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const metadata = parquetMetadata(file);
    const leaves = parquetSchema(metadata).children.map((c) => c.element);
    const rows = await parquetReadObjects({
      file,
      compressors,
      utf8: false,
      parsers: {
        timestampFromMilliseconds: (v) => (BigInt(v) * 1000000n).toString(),
        timestampFromMicroseconds: (v) => (BigInt(v) * 1000n).toString(),
        timestampFromNanoseconds: (v) => BigInt(v).toString(),
      },
    });
    const columns = {};
    const types = {};
    for (const element of leaves) {
      types[element.name] = element.type;
      columns[element.name] = rows.map((row) => hyValue(element, row[element.name]));
    }
    return { columns, types };
  };
}

function hyValue(element, value) {
  if (value === null || value === undefined) return null;
  if (element.type === 'DOUBLE') return floatBits(value, 64);
  if (element.type === 'FLOAT') return floatBits(value, 32);
  if (element.type === 'BOOLEAN') return value ? 'true' : 'false';
  if (value instanceof Uint8Array) {
    const isString = element.converted_type === 'UTF8' || element.logical_type?.type === 'STRING';
    return isString ? Buffer.from(value).toString('utf8') : hex(value);
  }
  return value.toString();
}

const read = await { duckdb, wasm, hyparquet }[engine]();
for (const file of files) {
  process.stdout.write(JSON.stringify(await read(file)) + '\n');
}
