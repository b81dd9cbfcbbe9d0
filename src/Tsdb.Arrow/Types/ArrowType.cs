namespace Tsdb.Arrow.Types;

/// <summary>
/// An Arrow data type. Parameterless types are shared singletons; Timestamp and Dictionary carry their parameters.
/// Compared by value.
/// </summary>
public sealed class ArrowType : IEquatable<ArrowType>
{
    public static readonly ArrowType Null = new(ArrowTypeId.Null);
    public static readonly ArrowType Boolean = new(ArrowTypeId.Boolean);
    public static readonly ArrowType Int8 = new(ArrowTypeId.Int8);
    public static readonly ArrowType Int16 = new(ArrowTypeId.Int16);
    public static readonly ArrowType Int32 = new(ArrowTypeId.Int32);
    public static readonly ArrowType Int64 = new(ArrowTypeId.Int64);
    public static readonly ArrowType UInt8 = new(ArrowTypeId.UInt8);
    public static readonly ArrowType UInt16 = new(ArrowTypeId.UInt16);
    public static readonly ArrowType UInt32 = new(ArrowTypeId.UInt32);
    public static readonly ArrowType UInt64 = new(ArrowTypeId.UInt64);
    public static readonly ArrowType Float32 = new(ArrowTypeId.Float32);
    public static readonly ArrowType Float64 = new(ArrowTypeId.Float64);
    public static readonly ArrowType Utf8 = new(ArrowTypeId.Utf8);
    public static readonly ArrowType LargeUtf8 = new(ArrowTypeId.LargeUtf8);
    public static readonly ArrowType Binary = new(ArrowTypeId.Binary);
    public static readonly ArrowType LargeBinary = new(ArrowTypeId.LargeBinary);

    /// <summary><c>timestamp[ns]</c> without a time zone: the type of the <c>time</c> column (as in IOx).</summary>
    public static readonly ArrowType TimestampNanosecond = new(ArrowTypeId.Timestamp, TimeUnit.Nanosecond, null);

    /// <summary><c>dictionary&lt;int32, utf8&gt;</c>: the type of tag columns.</summary>
    public static readonly ArrowType DictionaryUtf8 = new(Int32, Utf8, ordered: false);

    private ArrowType(ArrowTypeId id) => Id = id;

    private ArrowType(ArrowTypeId id, TimeUnit unit, string? timeZone)
    {
        Id = id;
        Unit = unit;
        TimeZone = string.IsNullOrEmpty(timeZone) ? null : timeZone;
    }

    private ArrowType(ArrowType indexType, ArrowType valueType, bool ordered)
    {
        Id = ArrowTypeId.Dictionary;
        IndexType = indexType;
        ValueType = valueType;
        IsOrdered = ordered;
    }

    public ArrowTypeId Id { get; }

    /// <summary>Timestamp unit; meaningful only for <see cref="ArrowTypeId.Timestamp"/>.</summary>
    public TimeUnit Unit { get; }

    /// <summary>Timestamp time zone, null when the timestamp is naive.</summary>
    public string? TimeZone { get; }

    /// <summary>Index type of a dictionary (an integer type).</summary>
    public ArrowType? IndexType { get; }

    /// <summary>Value type of a dictionary.</summary>
    public ArrowType? ValueType { get; }

    public bool IsOrdered { get; }

    public static ArrowType Timestamp(TimeUnit unit, string? timeZone = null) =>
        unit == TimeUnit.Nanosecond && string.IsNullOrEmpty(timeZone) ? TimestampNanosecond : new(ArrowTypeId.Timestamp, unit, timeZone);

    public static ArrowType Dictionary(ArrowType indexType, ArrowType valueType, bool ordered = false)
    {
        ArgumentNullException.ThrowIfNull(indexType);
        ArgumentNullException.ThrowIfNull(valueType);
        if (!indexType.IsInteger)
        {
            throw new ArgumentException($"dictionary index type must be an integer type, not {indexType}", nameof(indexType));
        }
        if (valueType.Id == ArrowTypeId.Dictionary)
        {
            throw new ArgumentException("dictionary values cannot themselves be dictionary-encoded", nameof(valueType));
        }
        return new ArrowType(indexType, valueType, ordered);
    }

    public bool IsInteger => Id is >= ArrowTypeId.Int8 and <= ArrowTypeId.UInt64;

    public bool IsSignedInteger => Id is >= ArrowTypeId.Int8 and <= ArrowTypeId.Int64;

    /// <summary>Utf8, LargeUtf8, Binary or LargeBinary: validity, offsets and data buffers.</summary>
    public bool IsVariableWidth => Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Binary or ArrowTypeId.LargeBinary;

    /// <summary>Variable-width types with 64-bit offsets.</summary>
    public bool HasLargeOffsets => Id is ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary;

    /// <summary>Width in bits of one value of a fixed-width type (1 for Boolean), 0 for the others.</summary>
    public int BitWidth => Id switch
    {
        ArrowTypeId.Boolean => 1,
        ArrowTypeId.Int8 or ArrowTypeId.UInt8 => 8,
        ArrowTypeId.Int16 or ArrowTypeId.UInt16 => 16,
        ArrowTypeId.Int32 or ArrowTypeId.UInt32 or ArrowTypeId.Float32 => 32,
        ArrowTypeId.Int64 or ArrowTypeId.UInt64 or ArrowTypeId.Float64 or ArrowTypeId.Timestamp => 64,
        _ => 0,
    };

    /// <summary>The number of buffers the IPC format carries for an array of this type.</summary>
    public int BufferCount => Id switch
    {
        ArrowTypeId.Null => 0,
        ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Binary or ArrowTypeId.LargeBinary => 3,
        _ => 2,
    };

    public bool Equals(ArrowType? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other.Id != Id)
        {
            return false;
        }
        return Id switch
        {
            ArrowTypeId.Timestamp => Unit == other.Unit && string.Equals(TimeZone, other.TimeZone, StringComparison.Ordinal),
            ArrowTypeId.Dictionary => IsOrdered == other.IsOrdered && IndexType!.Equals(other.IndexType) && ValueType!.Equals(other.ValueType),
            _ => true,
        };
    }

    public override bool Equals(object? obj) => Equals(obj as ArrowType);

    public override int GetHashCode() => Id switch
    {
        ArrowTypeId.Timestamp => HashCode.Combine(Id, Unit, TimeZone),
        ArrowTypeId.Dictionary => HashCode.Combine(Id, IndexType, ValueType, IsOrdered),
        _ => (int)Id,
    };

    public static bool operator ==(ArrowType? left, ArrowType? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(ArrowType? left, ArrowType? right) => !(left == right);

    public override string ToString() => Id switch
    {
        ArrowTypeId.Timestamp => TimeZone is null ? $"timestamp[{UnitName(Unit)}]" : $"timestamp[{UnitName(Unit)}, tz={TimeZone}]",
        ArrowTypeId.Dictionary => $"dictionary<{IndexType}, {ValueType}>",
        _ => Id.ToString().ToLowerInvariant(),
    };

    private static string UnitName(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };
}
