using Tsdb.Arrow.Types;
using AA = Apache.Arrow;
using AT = Apache.Arrow.Types;

namespace Tsdb.Arrow.Interop;

public static partial class ApacheArrowConversions
{
    /// <summary>The Apache.Arrow type for <paramref name="type"/>; every Tsdb.Arrow type has one.</summary>
    public static AT.IArrowType ToApacheArrow(this ArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Id switch
        {
            ArrowTypeId.Null => AT.NullType.Default,
            ArrowTypeId.Boolean => AT.BooleanType.Default,
            ArrowTypeId.Int8 => AT.Int8Type.Default,
            ArrowTypeId.Int16 => AT.Int16Type.Default,
            ArrowTypeId.Int32 => AT.Int32Type.Default,
            ArrowTypeId.Int64 => AT.Int64Type.Default,
            ArrowTypeId.UInt8 => AT.UInt8Type.Default,
            ArrowTypeId.UInt16 => AT.UInt16Type.Default,
            ArrowTypeId.UInt32 => AT.UInt32Type.Default,
            ArrowTypeId.UInt64 => AT.UInt64Type.Default,
            ArrowTypeId.Float32 => AT.FloatType.Default,
            ArrowTypeId.Float64 => AT.DoubleType.Default,
            ArrowTypeId.Utf8 => AT.StringType.Default,
            ArrowTypeId.LargeUtf8 => AT.LargeStringType.Default,
            ArrowTypeId.Binary => AT.BinaryType.Default,
            ArrowTypeId.LargeBinary => AT.LargeBinaryType.Default,
            ArrowTypeId.Timestamp => new AT.TimestampType(ToApacheArrow(type.Unit), type.TimeZone),
            ArrowTypeId.Dictionary => new AT.DictionaryType(type.IndexType!.ToApacheArrow(), type.ValueType!.ToApacheArrow(), type.IsOrdered),
            _ => throw new NotSupportedException($"Tsdb.Arrow type {type} has no Apache.Arrow mapping"),
        };
    }

    /// <summary>
    /// The Tsdb.Arrow type for <paramref name="type"/>. Throws <see cref="NotSupportedException"/> for types Tsdb.Arrow
    /// does not have (dates, times, durations, decimals, half floats, fixed-size binary, views, nested types).
    /// </summary>
    public static ArrowType ToTsdbArrow(this AT.IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type switch
        {
            AT.TimestampType t => ArrowType.Timestamp(ToTsdbArrow(t.Unit), t.Timezone),
            AT.DictionaryType d => d.ValueType is AT.DictionaryType
                ? throw new NotSupportedException("a dictionary of dictionaries has no Tsdb.Arrow counterpart")
                : ArrowType.Dictionary(RequireIndexType(d.IndexType), d.ValueType.ToTsdbArrow(), d.Ordered),
            _ => type.TypeId switch
            {
                AT.ArrowTypeId.Null => ArrowType.Null,
                AT.ArrowTypeId.Boolean => ArrowType.Boolean,
                AT.ArrowTypeId.Int8 => ArrowType.Int8,
                AT.ArrowTypeId.Int16 => ArrowType.Int16,
                AT.ArrowTypeId.Int32 => ArrowType.Int32,
                AT.ArrowTypeId.Int64 => ArrowType.Int64,
                AT.ArrowTypeId.UInt8 => ArrowType.UInt8,
                AT.ArrowTypeId.UInt16 => ArrowType.UInt16,
                AT.ArrowTypeId.UInt32 => ArrowType.UInt32,
                AT.ArrowTypeId.UInt64 => ArrowType.UInt64,
                AT.ArrowTypeId.Float => ArrowType.Float32,
                AT.ArrowTypeId.Double => ArrowType.Float64,
                AT.ArrowTypeId.String => ArrowType.Utf8,
                AT.ArrowTypeId.LargeString => ArrowType.LargeUtf8,
                AT.ArrowTypeId.Binary => ArrowType.Binary,
                AT.ArrowTypeId.LargeBinary => ArrowType.LargeBinary,
                AT.ArrowTypeId.StringView or AT.ArrowTypeId.BinaryView => throw new NotSupportedException(
                    $"Apache.Arrow type {type.Name} has no Tsdb.Arrow counterpart, and its layout (views into several data buffers) cannot be shared without a copy; convert it to {(type.TypeId == AT.ArrowTypeId.StringView ? "utf8" : "binary")} first"),
                _ => throw new NotSupportedException($"Apache.Arrow type {type.Name} has no Tsdb.Arrow counterpart"),
            },
        };
    }

    /// <summary>The Apache.Arrow field: same name, type, nullability and metadata.</summary>
    /// <exception cref="ArgumentException">The metadata repeats a key (Apache.Arrow keeps metadata in a dictionary).</exception>
    public static AA.Field ToApacheArrow(this Field field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return new AA.Field(field.Name, field.Type.ToApacheArrow(), field.IsNullable, ToApacheMetadata(field.Metadata, $"field '{field.Name}'"));
    }

    /// <summary>The Tsdb.Arrow field; metadata keeps Apache.Arrow's enumeration order.</summary>
    public static Field ToTsdbArrow(this AA.Field field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return new Field(field.Name, field.DataType.ToTsdbArrow(), field.IsNullable, field.HasMetadata ? ToTsdbMetadata(field.Metadata) : null);
    }

    public static AA.Schema ToApacheArrow(this Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fields = new AA.Field[schema.FieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = schema[i].ToApacheArrow();
        }
        return new AA.Schema(fields, ToApacheMetadata(schema.Metadata, "schema"));
    }

    public static Schema ToTsdbArrow(this AA.Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var list = schema.FieldsList;
        var fields = new Field[list.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = list[i].ToTsdbArrow();
        }
        return new Schema(fields, schema.HasMetadata ? ToTsdbMetadata(schema.Metadata) : null);
    }

    private static AT.TimeUnit ToApacheArrow(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => AT.TimeUnit.Second,
        TimeUnit.Millisecond => AT.TimeUnit.Millisecond,
        TimeUnit.Microsecond => AT.TimeUnit.Microsecond,
        _ => AT.TimeUnit.Nanosecond,
    };

    private static TimeUnit ToTsdbArrow(AT.TimeUnit unit) => unit switch
    {
        AT.TimeUnit.Second => TimeUnit.Second,
        AT.TimeUnit.Millisecond => TimeUnit.Millisecond,
        AT.TimeUnit.Microsecond => TimeUnit.Microsecond,
        _ => TimeUnit.Nanosecond,
    };

    private static ArrowType RequireIndexType(AT.IArrowType indexType)
    {
        var type = indexType.ToTsdbArrow();
        return type.IsInteger ? type : throw new NotSupportedException($"dictionary index type {indexType.Name} is not an integer type");
    }

    private static KeyValuePair<string, string>[]? ToApacheMetadata(IReadOnlyList<KeyValuePair<string, string>> metadata, string owner)
    {
        if (metadata.Count == 0)
        {
            return null;
        }
        var pairs = new KeyValuePair<string, string>[metadata.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i++)
        {
            if (!seen.Add(metadata[i].Key))
            {
                throw new ArgumentException($"{owner}: metadata key '{metadata[i].Key}' appears twice; Apache.Arrow keeps metadata in a dictionary", nameof(metadata));
            }
            pairs[i] = metadata[i];
        }
        return pairs;
    }

    private static KeyValuePair<string, string>[] ToTsdbMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        var pairs = new KeyValuePair<string, string>[metadata.Count];
        var i = 0;
        foreach (var pair in metadata)
        {
            pairs[i++] = pair;
        }
        return pairs;
    }
}
