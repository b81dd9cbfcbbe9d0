using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Arrays;

/// <summary>Value equality of arrays, regardless of how their buffers are laid out (offsets, slices, padding).</summary>
public static class ArrayComparer
{
    /// <summary>True when both arrays have the same type, length, nulls and values.</summary>
    public static bool Equals(ArrayData a, ArrayData b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Length == b.Length && RangeEquals(a, b, a.Length);
    }

    /// <summary>True when the first <paramref name="count"/> elements are equal (same type required).</summary>
    public static bool RangeEquals(ArrayData a, ArrayData b, int count)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Type != b.Type || count > a.Length || count > b.Length)
        {
            return false;
        }
        var left = ArrowArray.Create(a);
        var right = ArrowArray.Create(b);
        for (var i = 0; i < count; i++)
        {
            var nullA = a.IsNull(i);
            if (nullA != b.IsNull(i))
            {
                return false;
            }
            if (!nullA && !ElementEquals(left, right, i))
            {
                return false;
            }
        }
        return true;
    }

    private static bool ElementEquals(ArrowArray a, ArrowArray b, int i) => a.Type.Id switch
    {
        ArrowTypeId.Null => true,
        ArrowTypeId.Boolean => ((BooleanArray)a).GetValue(i) == ((BooleanArray)b).GetValue(i),
        ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Binary or ArrowTypeId.LargeBinary =>
            ((VariableWidthArray)a).GetBytes(i).SequenceEqual(((VariableWidthArray)b).GetBytes(i)),
        ArrowTypeId.Dictionary => Equals(((DictionaryArray)a).GetObject(i), ((DictionaryArray)b).GetObject(i)),
        ArrowTypeId.Float32 => ((FloatArray)a).Values[i].Equals(((FloatArray)b).Values[i]),
        ArrowTypeId.Float64 => ((DoubleArray)a).Values[i].Equals(((DoubleArray)b).Values[i]),
        _ => FixedWidthBytes(a.Data, i).SequenceEqual(FixedWidthBytes(b.Data, i)),
    };

    private static ReadOnlySpan<byte> FixedWidthBytes(ArrayData data, int i)
    {
        var width = data.Type.BitWidth / 8;
        return data.Buffers[1].Span.Slice((data.Offset + i) * width, width);
    }
}
