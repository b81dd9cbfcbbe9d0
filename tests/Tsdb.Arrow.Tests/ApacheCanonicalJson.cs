using System.Text;
using System.Text.Json.Nodes;
using AA = Apache.Arrow;
using AT = Apache.Arrow.Types;

namespace Tsdb.Arrow.Tests;

/// <summary>
/// The canonical JSON of <see cref="ArrowCanonicalJson"/>, computed from Apache.Arrow (C#) objects through that
/// library's own accessors, so that a comparison checks its reading of the bytes against ours.
/// </summary>
internal static class ApacheCanonicalJson
{
    public static string Serialize(AA.Schema schema, IEnumerable<AA.RecordBatch> batches)
    {
        var fields = new JsonArray();
        foreach (var f in schema.FieldsList)
        {
            fields.Add(new JsonObject
            {
                ["name"] = f.Name,
                ["type"] = TypeName(f.DataType),
                ["nullable"] = f.IsNullable,
                ["metadata"] = Metadata(f.HasMetadata ? f.Metadata : null),
            });
        }
        var batchArray = new JsonArray();
        foreach (var batch in batches)
        {
            var columns = new JsonArray();
            foreach (var column in batch.Arrays)
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
            ["schema"] = new JsonObject { ["fields"] = fields, ["metadata"] = Metadata(schema.HasMetadata ? schema.Metadata : null) },
            ["batches"] = batchArray,
        };
        return root.ToJsonString();
    }

    private static JsonObject Metadata(IReadOnlyDictionary<string, string>? pairs)
    {
        var obj = new JsonObject();
        foreach (var kv in (pairs ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            obj[kv.Key] = kv.Value;
        }
        return obj;
    }

    private static string TypeName(AT.IArrowType t) => t switch
    {
        AT.DictionaryType d => $"dictionary<{TypeName(d.IndexType)}, {TypeName(d.ValueType)}>",
        AT.TimestampType ts => string.IsNullOrEmpty(ts.Timezone) ? $"timestamp[{Unit(ts.Unit)}]" : $"timestamp[{Unit(ts.Unit)}, {ts.Timezone}]",
        _ => t.TypeId switch
        {
            AT.ArrowTypeId.Null => "null",
            AT.ArrowTypeId.Boolean => "bool",
            AT.ArrowTypeId.Int8 => "int8",
            AT.ArrowTypeId.Int16 => "int16",
            AT.ArrowTypeId.Int32 => "int32",
            AT.ArrowTypeId.Int64 => "int64",
            AT.ArrowTypeId.UInt8 => "uint8",
            AT.ArrowTypeId.UInt16 => "uint16",
            AT.ArrowTypeId.UInt32 => "uint32",
            AT.ArrowTypeId.UInt64 => "uint64",
            AT.ArrowTypeId.Float => "float32",
            AT.ArrowTypeId.Double => "float64",
            AT.ArrowTypeId.String => "utf8",
            AT.ArrowTypeId.LargeString => "large_utf8",
            AT.ArrowTypeId.Binary => "binary",
            AT.ArrowTypeId.LargeBinary => "large_binary",
            _ => throw new NotSupportedException(t.Name),
        },
    };

    private static string Unit(AT.TimeUnit unit) => unit switch
    {
        AT.TimeUnit.Second => "s",
        AT.TimeUnit.Millisecond => "ms",
        AT.TimeUnit.Microsecond => "us",
        _ => "ns",
    };

    internal static string Value(AA.IArrowArray array, int i) => array switch
    {
        AA.DictionaryArray d => Value(d.Dictionary, Index(d.Indices, i)),
        AA.BooleanArray b => b.GetValue(i) == true ? "true" : "false",
        AA.StringArray s => Encoding.UTF8.GetString(s.GetBytes(i)),
        AA.LargeStringArray s => Encoding.UTF8.GetString(s.GetBytes(i)),
        AA.BinaryArray bin => Convert.ToHexStringLower(bin.GetBytes(i)),
        AA.LargeBinaryArray bin => Convert.ToHexStringLower(bin.GetBytes(i)),
        AA.DoubleArray dbl => BitConverter.DoubleToUInt64Bits(dbl.Values[i]).ToString("x16"),
        AA.FloatArray flt => BitConverter.SingleToUInt32Bits(flt.Values[i]).ToString("x8"),
        AA.Int8Array a => a.Values[i].ToString(),
        AA.Int16Array a => a.Values[i].ToString(),
        AA.Int32Array a => a.Values[i].ToString(),
        AA.Int64Array a => a.Values[i].ToString(),
        AA.UInt8Array a => a.Values[i].ToString(),
        AA.UInt16Array a => a.Values[i].ToString(),
        AA.UInt32Array a => a.Values[i].ToString(),
        AA.UInt64Array a => a.Values[i].ToString(),
        AA.TimestampArray a => a.Values[i].ToString(),
        _ => throw new NotSupportedException(array.GetType().Name),
    };

    private static int Index(AA.IArrowArray indices, int i) => indices switch
    {
        AA.Int8Array a => a.Values[i],
        AA.Int16Array a => a.Values[i],
        AA.Int32Array a => a.Values[i],
        AA.Int64Array a => checked((int)a.Values[i]),
        AA.UInt8Array a => a.Values[i],
        AA.UInt16Array a => a.Values[i],
        AA.UInt32Array a => checked((int)a.Values[i]),
        AA.UInt64Array a => checked((int)a.Values[i]),
        _ => throw new NotSupportedException(indices.GetType().Name),
    };
}
