using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// One value per group, of any type an aggregate may keep whole (min/max, first_value/last_value, the selectors): typed
/// storage, comparison in the sort order of <c>Sorting.SortIndices</c> (NaN above every number, strings by UTF-8 bytes,
/// false before true) and an array of the group values at the end. Rows are read from the batch given to
/// <see cref="Load"/>. A group that was never set is NULL.
/// </summary>
internal abstract class GroupValues
{
    /// <summary>The type of <see cref="Build"/>'s array: the input's, with dictionary tags decoded to utf8 (as today's engine returns them).</summary>
    public abstract ArrowType OutputType { get; }

    public abstract long MemoryBytes { get; }

    public static bool Supports(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Dictionary => type.ValueType!.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8,
        ArrowTypeId.Null or ArrowTypeId.Boolean or ArrowTypeId.Timestamp => true,
        _ => type.IsVariableWidth || Columns.IsNumeric(type),
    };

    /// <param name="utf16Order">Order strings as .NET's ordinal UTF-16 comparison does (min/max today) instead of by UTF-8 bytes (sorting).</param>
    public static GroupValues Create(ArrowType type, bool utf16Order = false) => type.Id switch
    {
        ArrowTypeId.Null => new NullGroupValues(),
        ArrowTypeId.Boolean => new BooleanGroupValues(),
        ArrowTypeId.Int8 => new FixedGroupValues<sbyte>(type),
        ArrowTypeId.Int16 => new FixedGroupValues<short>(type),
        ArrowTypeId.Int32 => new FixedGroupValues<int>(type),
        ArrowTypeId.Int64 or ArrowTypeId.Timestamp => new FixedGroupValues<long>(type),
        ArrowTypeId.UInt8 => new FixedGroupValues<byte>(type),
        ArrowTypeId.UInt16 => new FixedGroupValues<ushort>(type),
        ArrowTypeId.UInt32 => new FixedGroupValues<uint>(type),
        ArrowTypeId.UInt64 => new FixedGroupValues<ulong>(type),
        ArrowTypeId.Float32 => new FixedGroupValues<float>(type),
        ArrowTypeId.Float64 => new FixedGroupValues<double>(type),
        _ when Supports(type) => new BytesGroupValues(type.Id == ArrowTypeId.Dictionary ? ArrowType.Utf8 : type, utf16Order),
        _ => throw new NotSupportedException($"no group values for {type}"),
    };

    /// <summary>Room for at least <paramref name="groups"/> groups; new ones are NULL.</summary>
    public abstract void Resize(int groups);

    /// <summary>The batch the row methods read until the next call.</summary>
    public abstract void Load(ArrowArray batch);

    public abstract bool RowIsNull(int row);

    public abstract bool IsNull(int group);

    /// <summary>Row against group, both non-null: negative when the row orders first.</summary>
    public abstract int CompareRow(int row, int group);

    /// <summary>Sets the group to the row's value (NULL included).</summary>
    public abstract void SetRow(int group, int row);

    /// <summary>This group against another instance's group (same type), both non-null.</summary>
    public abstract int CompareGroup(int group, GroupValues other, int otherGroup);

    public abstract void SetGroup(int group, GroupValues other, int otherGroup);

    /// <summary>The first <paramref name="groups"/> group values as an array of <see cref="OutputType"/>.</summary>
    public abstract ArrowArray Build(int groups);

    /// <summary>
    /// Folds the batch's non-null values in as min or max: a group takes a row's value when it is NULL or the value
    /// orders strictly beyond it, so ties keep the earlier value. Rows with a negative group id are skipped.
    /// </summary>
    public virtual void MinMax(ArrowArray batch, ReadOnlySpan<int> ids, bool max)
    {
        Load(batch);
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g < 0 || RowIsNull(i))
            {
                continue;
            }
            if (IsNull(g) || (max ? CompareRow(i, g) > 0 : CompareRow(i, g) < 0))
            {
                SetRow(g, i);
            }
        }
    }
}
