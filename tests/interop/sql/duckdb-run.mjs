// Runs the SQL corpus against DuckDB over the generated data set and writes the expected answers.
// usage: node duckdb-run.mjs OUTFILE [NAME...]   (run from tests/interop so @duckdb/node-api resolves)
// OUTFILE: { name: { columns: [..], types: [..], rows: [[..]] } }, every value a string or null:
//   integers in full, floats rounded to 15 significant digits (then printed shortest), timestamps as nanoseconds
//   since the epoch, booleans "true"/"false". types are "int" | "float" | "string" | "bool" | "timestamp".
// Exits 1 if DuckDB rejects any query (each failure is printed with its error).
import { readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import { load } from './dataset.mjs';

const [outFile, ...only] = process.argv.slice(2);
if (!outFile) { console.error('usage: node duckdb-run.mjs OUTFILE [NAME...]'); process.exit(2); }

const corpus = JSON.parse(readFileSync(new URL('./corpus.json', import.meta.url), 'utf8'));
const names = new Set();
for (const q of corpus) {
  if (names.has(q.name)) throw new Error(`duplicate query name ${q.name}`);
  names.add(q.name);
}

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await load(connection);
// DataFusion / PostgreSQL default: ASC NULLS LAST, DESC NULLS FIRST (DuckDB's own default is NULLS LAST for both).
await connection.run(`SET default_null_order = 'nulls_last_on_asc_first_on_desc'`);
await connection.run(`SET TimeZone = 'UTC'`);
await connection.run(`SET threads = 1`); // stable summation order between runs

const kind = (type) => {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER: case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT: case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT: case DuckDBTypeId.UHUGEINT:
      return 'int';
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE: case DuckDBTypeId.DECIMAL:
      return 'float';
    case DuckDBTypeId.VARCHAR:
      return 'string';
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS: case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp';
    default:
      throw new Error(`no canonical form for DuckDB type ${type}`);
  }
};

const float = (x) => {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return String(Number(x.toPrecision(15)) + 0);
};

function canonical(type, value) {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.TIMESTAMP_NS: return value.nanos.toString();
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ: return (value.micros * 1000n).toString();
    case DuckDBTypeId.TIMESTAMP_MS: return (value.millis * 1000000n).toString();
    case DuckDBTypeId.TIMESTAMP_S: return (value.seconds * 1000000000n).toString();
    case DuckDBTypeId.DECIMAL: return float(value.toDouble());
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE: return float(value);
    case DuckDBTypeId.BOOLEAN: return value ? 'true' : 'false';
    default: return typeof value === 'string' ? value : value.toString();
  }
}

const results = {};
const failures = [];
for (const q of corpus) {
  if (only.length && !only.includes(q.name)) continue;
  const text = q.duckdb ?? q.sql;
  try {
    const reader = await connection.runAndReadAll(text);
    const types = reader.columnTypes();
    const kinds = types.map(kind);
    const rows = reader.getRows().map((row) => row.map((v, i) => canonical(types[i], v)));
    results[q.name] = { columns: reader.columnNames(), types: kinds, rows };
  } catch (e) {
    failures.push(q.name);
    console.error(`FAIL ${q.name}: ${e.message}\n  ${text}`);
  }
}

writeFileSync(outFile, JSON.stringify(results, null, 1) + '\n');
const counts = Object.entries(results).map(([n, r]) => `${n}=${r.rows.length}`).join(' ');
console.log(`${Object.keys(results).length} queries ran, ${failures.length} failed; rows: ${counts}`);
if (failures.length) process.exit(1);
