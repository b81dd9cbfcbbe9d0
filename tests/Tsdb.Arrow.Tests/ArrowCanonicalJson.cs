using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Tests;

/// <summary>
/// The same canonical JSON as tests/interop/arrow/canonical.mjs: types by name, every value as a string
/// (integers and timestamps exactly, floats as IEEE-754 bits, binary as hex), null as null.
/// </summary>
internal static class ArrowCanonicalJson
{
    public static string Serialize(Schema schema, IEnumerable<RecordBatch> batches)
    {
        var fields = new JsonArray();
        foreach (var f in schema.Fields)
        {
            fields.Add(new JsonObject
            {
                ["name"] = f.Name,
                ["type"] = TypeName(f.Type),
                ["nullable"] = f.IsNullable,
                ["metadata"] = Metadata(f.Metadata),
            });
        }
        var batchArray = new JsonArray();
        foreach (var batch in batches)
        {
            var columns = new JsonArray();
            foreach (var column in batch.Columns)
            {
                var values = new JsonArray();
                for (var i = 0; i < column.Length; i++)
                {
                    values.Add(column.IsNull(i) ? null : JsonValue.Create(Value(column, i)));
                }
                columns.Add(values);
            }
            batchArray.Add(new JsonObject { ["length"] = batch.Length, ["columns"] = columns });
        }
        var root = new JsonObject
        {
            ["schema"] = new JsonObject { ["fields"] = fields, ["metadata"] = Metadata(schema.Metadata) },
            ["batches"] = batchArray,
        };
        return root.ToJsonString();
    }

    /// <summary>Re-serialises JSON text so that two documents compare equal when their content does.</summary>
    public static string Normalize(string json) => JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonObject Metadata(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        var obj = new JsonObject();
        foreach (var kv in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            obj[kv.Key] = kv.Value;
        }
        return obj;
    }

    public static string TypeName(ArrowType t) => t.Id switch
    {
        ArrowTypeId.Dictionary => $"dictionary<{TypeName(t.IndexType!)}, {TypeName(t.ValueType!)}>",
        ArrowTypeId.Null => "null",
        ArrowTypeId.Boolean => "bool",
        ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64 => $"int{t.BitWidth}",
        ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64 => $"uint{t.BitWidth}",
        ArrowTypeId.Float32 => "float32",
        ArrowTypeId.Float64 => "float64",
        ArrowTypeId.Utf8 => "utf8",
        ArrowTypeId.LargeUtf8 => "large_utf8",
        ArrowTypeId.Binary => "binary",
        ArrowTypeId.LargeBinary => "large_binary",
        ArrowTypeId.Timestamp => t.TimeZone is null ? $"timestamp[{Unit(t.Unit)}]" : $"timestamp[{Unit(t.Unit)}, {t.TimeZone}]",
        _ => throw new NotSupportedException(t.ToString()),
    };

    private static string Unit(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };

    internal static string Value(ArrowArray array, int i)
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
                return BitConverter.DoubleToUInt64Bits(dbl.Values[i]).ToString("x16");
            case FloatArray flt:
                return BitConverter.SingleToUInt32Bits(flt.Values[i]).ToString("x8");
            default:
                var width = array.Type.BitWidth / 8;
                var bytes = array.Data.Buffers[1].Span.Slice((array.Data.Offset + i) * width, width);
                return array.Type.Id switch
                {
                    ArrowTypeId.Int8 => ((sbyte)bytes[0]).ToString(),
                    ArrowTypeId.UInt8 => bytes[0].ToString(),
                    ArrowTypeId.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes).ToString(),
                    ArrowTypeId.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes).ToString(),
                    ArrowTypeId.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes).ToString(),
                    ArrowTypeId.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes).ToString(),
                    ArrowTypeId.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(bytes).ToString(),
                    _ => BinaryPrimitives.ReadInt64LittleEndian(bytes).ToString(),
                };
        }
    }
}
