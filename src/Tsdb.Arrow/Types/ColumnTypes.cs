using Tsdb.Core.Schema;

namespace Tsdb.Arrow.Types;

/// <summary>
/// The one map between a column's kind and the Arrow type it is stored as (write path, buffer, Parquet, query
/// schemas). The switch has no default arm: a new <see cref="ColumnKind"/> without a type here fails the build
/// (CS8509 is an error), and a test walks every kind both ways.
/// </summary>
public static class ColumnTypes
{
    private static readonly (ArrowTypeId Id, ColumnKind Kind)[] Reverse = BuildReverse();

    // CS8524 only concerns values outside the enum's names (a cast integer); every named kind is listed.
#pragma warning disable CS8524
    public static ArrowType Of(ColumnKind kind) => kind switch
    {
        ColumnKind.Time => ArrowType.TimestampNanosecond,
        ColumnKind.Tag => ArrowType.DictionaryUtf8,
        ColumnKind.Float => ArrowType.Float64,
        ColumnKind.Integer => ArrowType.Int64,
        ColumnKind.UInteger => ArrowType.UInt64,
        ColumnKind.String => ArrowType.Utf8,
        ColumnKind.Boolean => ArrowType.Boolean,
    };
#pragma warning restore CS8524

    /// <summary>The kind whose stored type has this type's id (any timestamp unit is time), or null for a type storage never makes.</summary>
    public static ColumnKind? KindOf(ArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        foreach (var (id, kind) in Reverse)
        {
            if (id == type.Id)
            {
                return kind;
            }
        }
        return null;
    }

    /// <summary>A stored column's field: its type, nullable unless time, and the <c>iox::column::type</c> metadata.</summary>
    public static Field Field(string name, ColumnKind kind) =>
        new(name, Of(kind), kind != ColumnKind.Time, [new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(kind))]);

    /// <summary>
    /// The id of the stored type a narrower input type widens to without loss (int8–int32 → int64, uint8–uint32 →
    /// uint64, float32 → float64, large utf8 → utf8); other ids unchanged. For writers that send narrower columns.
    /// </summary>
    public static ArrowTypeId Widened(ArrowTypeId id) => id switch
    {
        ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 => ArrowTypeId.Int64,
        ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 => ArrowTypeId.UInt64,
        ArrowTypeId.Float32 => ArrowTypeId.Float64,
        ArrowTypeId.LargeUtf8 => ArrowTypeId.Utf8,
        _ => id,
    };

    private static (ArrowTypeId, ColumnKind)[] BuildReverse()
    {
        var kinds = Enum.GetValues<ColumnKind>();
        var reverse = new (ArrowTypeId, ColumnKind)[kinds.Length];
        for (var i = 0; i < kinds.Length; i++)
        {
            reverse[i] = (Of(kinds[i]).Id, kinds[i]);
        }
        return reverse;
    }
}
