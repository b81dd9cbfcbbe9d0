// DuckDB reads a Parquet file and writes the same rows as its own Parquet; prints the new file's size.
// usage: node duckdb-rewrite.mjs FILE CODEC
import { statSync, unlinkSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, codec] = process.argv.slice(2);
const out = `${file}.duckdb-${codec}.parquet`;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(`COPY (SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')) TO '${out}' (FORMAT parquet, COMPRESSION ${codec})`);
process.stdout.write(String(statSync(out).size));
unlinkSync(out);
