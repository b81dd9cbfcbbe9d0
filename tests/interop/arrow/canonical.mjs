// Canonical JSON form of Arrow data, shared with the C# tests (ArrowCanonicalJson): every value as a string
// (integers and timestamps from the raw buffers, floats as IEEE-754 bit patterns), null as null.
import { DataType, Precision, TimeUnit, compressionRegistry, CompressionType } from 'apache-arrow';
import * as zstd from '@bokuweb/zstd-wasm';

export async function registerZstd() {
  await zstd.init();
  compressionRegistry.set(CompressionType.ZSTD, {
    encode: (data) => zstd.compress(data, 3),
    decode: (data) => zstd.decompress(data),
  });
}

const units = { [TimeUnit.SECOND]: 's', [TimeUnit.MILLISECOND]: 'ms', [TimeUnit.MICROSECOND]: 'us', [TimeUnit.NANOSECOND]: 'ns' };

export function typeName(t) {
  if (DataType.isDictionary(t)) return `dictionary<${typeName(t.indices)}, ${typeName(t.dictionary)}>`;
  if (DataType.isNull(t)) return 'null';
  if (DataType.isInt(t)) return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
  if (DataType.isFloat(t)) return t.precision === Precision.DOUBLE ? 'float64' : t.precision === Precision.SINGLE ? 'float32' : 'float16';
  if (DataType.isBool(t)) return 'bool';
  if (DataType.isLargeUtf8 && DataType.isLargeUtf8(t)) return 'large_utf8';
  if (DataType.isUtf8(t)) return 'utf8';
  if (DataType.isLargeBinary && DataType.isLargeBinary(t)) return 'large_binary';
  if (DataType.isBinary(t)) return 'binary';
  if (DataType.isTimestamp(t)) return t.timezone ? `timestamp[${units[t.unit]}, ${t.timezone}]` : `timestamp[${units[t.unit]}]`;
  return `unsupported:${t}`;
}

const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function floatBits(value, width) {
  const view = new DataView(new ArrayBuffer(8));
  if (width === 64) { view.setFloat64(0, value, true); return view.getBigUint64(0, true).toString(16).padStart(16, '0'); }
  view.setFloat32(0, value, true); return view.getUint32(0, true).toString(16).padStart(8, '0');
}

function valueOf(type, data, vec, j) {
  if (DataType.isDictionary(type)) {
    const index = Number(data.values[j]);
    return valueOf(type.dictionary, data.dictionary.data[0], data.dictionary, index);
  }
  if (DataType.isInt(type) || DataType.isTimestamp(type)) return data.values[data.offset + j].toString();
  if (DataType.isFloat(type)) return floatBits(data.values[data.offset + j], type.precision === Precision.DOUBLE ? 64 : 32);
  if (DataType.isBool(type)) return vec.get(j) ? 'true' : 'false';
  if (DataType.isUtf8(type) || (DataType.isLargeUtf8 && DataType.isLargeUtf8(type))) return vec.get(j);
  if (DataType.isBinary(type) || (DataType.isLargeBinary && DataType.isLargeBinary(type))) return hex(vec.get(j));
  throw new Error(`no canonical form for ${type}`);
}

const metadataObject = (map) => Object.fromEntries([...(map ?? new Map()).entries()].sort());

export function canonical(table) {
  const schema = {
    fields: table.schema.fields.map((f) => ({ name: f.name, type: typeName(f.type), nullable: f.nullable, metadata: metadataObject(f.metadata) })),
    metadata: metadataObject(table.schema.metadata),
  };
  const batches = table.batches.map((batch) => ({
    length: batch.numRows,
    columns: table.schema.fields.map((f, c) => {
      const vec = batch.getChildAt(c);
      const data = vec.data[0];
      const out = [];
      for (let j = 0; j < batch.numRows; j++) {
        out.push(DataType.isNull(f.type) || !vec.isValid(j) ? null : valueOf(f.type, data, vec, j));
      }
      return out;
    }),
  }));
  return { schema, batches };
}
