// Canonical JSON for Parquet interop: {"columns": {name: [value, ...]}, "types": {name: type}}, every value a string
// (integers and timestamps in full, timestamps as nanoseconds since the epoch, floats as IEEE-754 bits, NaN as
// "NaN", binary as hex), null as null. Shared with the C# tests (ParquetCanonicalJson).
import { DataType, Precision, TimeUnit } from 'apache-arrow';

export function floatBits(value, width) {
  if (Number.isNaN(value)) return 'NaN';
  const view = new DataView(new ArrayBuffer(8));
  if (width === 64) { view.setFloat64(0, value, true); return view.getBigUint64(0, true).toString(16).padStart(16, '0'); }
  view.setFloat32(0, value, true); return view.getUint32(0, true).toString(16).padStart(8, '0');
}

export const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

const toNanos = { [TimeUnit.SECOND]: 1000000000n, [TimeUnit.MILLISECOND]: 1000000n, [TimeUnit.MICROSECOND]: 1000n, [TimeUnit.NANOSECOND]: 1n };

/** From an apache-arrow Table (what parquet-wasm hands back as IPC). */
export function fromArrowTable(table) {
  const columns = {};
  const types = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name);
    const values = [];
    for (const data of vector.data) {
      for (let j = 0; j < data.length; j++) {
        values.push(data.getValid(j) ? arrowValue(field.type, data, j) : null);
      }
    }
    columns[field.name] = values;
    types[field.name] = String(field.type);
  }
  return { columns, types };
}

function arrowValue(type, data, j) {
  if (DataType.isDictionary(type)) {
    const index = Number(data.values[data.offset + j]);
    const dict = data.dictionary.data[0];
    return arrowValue(type.dictionary, dict, index);
  }
  if (DataType.isTimestamp(type)) return (BigInt(data.values[data.offset + j]) * toNanos[type.unit]).toString();
  if (DataType.isInt(type)) return data.values[data.offset + j].toString();
  if (DataType.isFloat(type)) return floatBits(data.values[data.offset + j], type.precision === Precision.DOUBLE ? 64 : 32);
  if (DataType.isBool(type)) {
    const bit = data.offset + j;
    return (data.values[bit >> 3] >> (bit & 7)) & 1 ? 'true' : 'false';
  }
  const isString = DataType.isUtf8(type) || DataType.isLargeUtf8(type) || (DataType.isUtf8View && DataType.isUtf8View(type));
  const isBinary = DataType.isBinary(type) || DataType.isLargeBinary(type) || (DataType.isBinaryView && DataType.isBinaryView(type));
  if (isString || isBinary) {
    // Read from offsets so as not to depend on the vector API for views.
    const start = Number(data.valueOffsets[data.offset + j]);
    const end = Number(data.valueOffsets[data.offset + j + 1]);
    const bytes = data.values.subarray(start, end);
    return isString ? Buffer.from(bytes).toString('utf8') : hex(bytes);
  }
  throw new Error(`no canonical form for ${type}`);
}
