using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Parquet.Tests;

/// <summary>
/// The same canonical JSON as tests/interop/parquet/canonical.mjs: per column, every value as a string
/// (integers in full, timestamps as nanoseconds, floats as IEEE-754 bits, NaN as "NaN", binary as hex), null as null.
/// </summary>
internal static class ParquetCanonicalJson
{
    public static JsonObject Columns(Tsdb.Arrow.Types.Schema schema, IEnumerable<RecordBatch> batches)
    {
        var columns = new JsonObject();
        var arrays = schema.Fields.Select(_ => new JsonArray()).ToList();
        foreach (var batch in batches)
        {
            for (var c = 0; c < schema.FieldCount; c++)
            {
                var column = batch.Column(schema[c].Name)!;
                for (var i = 0; i < column.Length; i++)
                {
                    arrays[c].Add(column.IsNull(i) ? null : JsonValue.Create(Value(column, i)));
                }
            }
        }
        for (var c = 0; c < schema.FieldCount; c++)
        {
            columns[schema[c].Name] = arrays[c];
        }
        return columns;
    }

    /// <summary>The "columns" object of a line printed by read.mjs or written by write.mjs.</summary>
    public static JsonObject ColumnsOf(string json) => (JsonObject)JsonNode.Parse(json)!["columns"]!.DeepClone();

    public static string Value(ArrowArray array, int i)
    {
        switch (array)
        {
            case DictionaryArray d:
                return Value(d.Dictionary, checked((int)d.GetIndex(i)));
            case BooleanArray b:
                return b.GetValue(i) ? "true" : "false";
            case StringArray s:
                return s.GetString(i)!;
            case BinaryArray bin:
                return Convert.ToHexStringLower(bin.GetBytes(i));
            case DoubleArray dbl:
                return double.IsNaN(dbl.Values[i]) ? "NaN" : BitConverter.DoubleToUInt64Bits(dbl.Values[i]).ToString("x16", CultureInfo.InvariantCulture);
            case FloatArray flt:
                return float.IsNaN(flt.Values[i]) ? "NaN" : BitConverter.SingleToUInt32Bits(flt.Values[i]).ToString("x8", CultureInfo.InvariantCulture);
            case TimestampArray ts:
                var scale = ts.Unit switch
                {
                    TimeUnit.Second => 1_000_000_000L,
                    TimeUnit.Millisecond => 1_000_000L,
                    TimeUnit.Microsecond => 1_000L,
                    _ => 1L,
                };
                return ((System.Numerics.BigInteger)ts.Values[i] * scale).ToString(CultureInfo.InvariantCulture);
            default:
                var width = array.Type.BitWidth / 8;
                var bytes = array.Data.Buffers[1].Span.Slice((array.Data.Offset + i) * width, width);
                return array.Type.Id switch
                {
                    ArrowTypeId.Int8 => ((sbyte)bytes[0]).ToString(CultureInfo.InvariantCulture),
                    ArrowTypeId.UInt8 => bytes[0].ToString(CultureInfo.InvariantCulture),
                    ArrowTypeId.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
                    ArrowTypeId.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
                    ArrowTypeId.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
                    ArrowTypeId.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
                    ArrowTypeId.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
                    _ => BinaryPrimitives.ReadInt64LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
                };
        }
    }
}
