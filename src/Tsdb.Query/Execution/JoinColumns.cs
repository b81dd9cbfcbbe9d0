using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>Array helpers for the join kernels.</summary>
internal static class JoinColumns
{
    /// <summary>
    /// An all-null column of <paramref name="type"/>. Padding usually goes through <c>Selection.Take</c> with -1
    /// indices (which keeps dictionaries), but an outer side with no rows at all has nothing to take from.
    /// </summary>
    public static ArrowArray Nulls(ArrowType type, int length)
    {
        ArgumentNullException.ThrowIfNull(type);
        var validity = new byte[BitUtil.BytesFor(length)];
        switch (type.Id)
        {
            case ArrowTypeId.Null:
                return ArrowArray.Create(new ArrayData(type, length, length, []));
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary:
                return ArrowArray.Create(new ArrayData(type, length, length, [validity, new byte[(length + 1) * 4], Array.Empty<byte>()]));
            case ArrowTypeId.LargeUtf8 or ArrowTypeId.LargeBinary:
                return ArrowArray.Create(new ArrayData(type, length, length, [validity, new byte[(length + 1) * 8], Array.Empty<byte>()]));
            case ArrowTypeId.Boolean:
                return ArrowArray.Create(new ArrayData(type, length, length, [validity, new byte[BitUtil.BytesFor(length)]]));
            case ArrowTypeId.Dictionary:
                // Index 0 under every null slot, into a one-entry dictionary, so readers that check index bounds
                // without looking at validity still see valid indices.
                var entry = Nulls(type.ValueType!, 1);
                var width = type.IndexType!.BitWidth / 8;
                return ArrowArray.Create(new ArrayData(type, length, length, [validity, new byte[length * width]], dictionary: entry.Data));
            default:
                var bits = type.BitWidth;
                if (bits < 8)
                {
                    throw new NotSupportedException($"cannot pad a join with nulls of type {type}");
                }
                return ArrowArray.Create(new ArrayData(type, length, length, [validity, new byte[length * (bits / 8)]]));
        }
    }

    /// <summary>The validity of <paramref name="data"/> realigned to bit 0, or null when nothing is null.</summary>
    public static byte[]? Validity(ArrayData data)
    {
        if (data.Type.Id == ArrowTypeId.Null)
        {
            return new byte[BitUtil.BytesFor(data.Length)];
        }
        if (data.NullCount == 0)
        {
            return null;
        }
        var bits = new byte[BitUtil.BytesFor(data.Length)];
        BitUtil.CopyBits(data.Validity, data.Offset, data.Length, bits);
        return bits;
    }

    /// <summary>Rows valid in every bitmap (null bitmaps mean all valid); null when every row is valid.</summary>
    public static byte[]? And(byte[]?[] validity, int length)
    {
        byte[]? result = null;
        foreach (var bits in validity)
        {
            if (bits is null)
            {
                continue;
            }
            if (result is null)
            {
                result = new byte[BitUtil.BytesFor(length)];
                bits.AsSpan(0, result.Length).CopyTo(result);
                continue;
            }
            for (var i = 0; i < result.Length; i++)
            {
                result[i] &= bits[i];
            }
        }
        return result;
    }

    public static bool IsValid(byte[]? validity, int row) => validity is null || BitUtil.GetBit(validity, row);

    /// <summary>Throws unless <paramref name="batch"/> has the columns <paramref name="schema"/> declares.</summary>
    public static void Check(Schema schema, RecordBatch batch, string side)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.ColumnCount != schema.FieldCount)
        {
            throw new ArgumentException($"the join's {side} side declared {schema.FieldCount} columns, a batch has {batch.ColumnCount}");
        }
        for (var c = 0; c < schema.FieldCount; c++)
        {
            if (batch.Column(c).Type != schema[c].Type)
            {
                throw new ArgumentException($"the join's {side} column '{schema[c].Name}' was declared {schema[c].Type}, a batch has {batch.Column(c).Type}");
            }
        }
    }

    /// <summary>Left fields then right fields (left only for semi and anti joins); a padded side becomes nullable.</summary>
    public static Schema OutputSchema(Schema left, Schema right, JoinType type)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (type is JoinType.LeftSemi or JoinType.LeftAnti)
        {
            return left;
        }
        var leftPadded = type is JoinType.Right or JoinType.Full;
        var rightPadded = type is JoinType.Left or JoinType.Full;
        var fields = new List<Field>(left.FieldCount + right.FieldCount);
        foreach (var f in left.Fields)
        {
            fields.Add(leftPadded && !f.IsNullable ? new Field(f.Name, f.Type, true, f.Metadata) : f);
        }
        foreach (var f in right.Fields)
        {
            fields.Add(rightPadded && !f.IsNullable ? new Field(f.Name, f.Type, true, f.Metadata) : f);
        }
        return new Schema(fields);
    }

    /// <summary>Left fields then right fields: what a residual condition sees.</summary>
    public static Schema PairSchema(Schema left, Schema right) => new([.. left.Fields, .. right.Fields]);
}
