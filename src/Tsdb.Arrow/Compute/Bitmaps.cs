using System.Numerics;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Bitmap helpers shared by the kernels. Every bitmap a kernel builds starts at bit 0 (results are never sliced), so
/// inputs with an offset are first realigned with <see cref="BitUtil.CopyBits"/> and then combined a word at a time.
/// </summary>
internal static class Bitmaps
{
    /// <summary>The validity of <paramref name="data"/> realigned to bit 0, or null when every element is valid.</summary>
    public static byte[]? Validity(ArrayData data)
    {
        if (data.Type.Id == Types.ArrowTypeId.Null)
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

    /// <summary>The values bitmap of a boolean array realigned to bit 0.</summary>
    public static byte[] BooleanValues(ArrayData data)
    {
        var bits = new byte[BitUtil.BytesFor(data.Length)];
        if (data.Length > 0)
        {
            BitUtil.CopyBits(data.Buffers[1].Span, data.Offset, data.Length, bits);
        }
        return bits;
    }

    /// <summary>a AND b, where null means "all set"; the result may alias an input.</summary>
    public static byte[]? And(byte[]? a, byte[]? b)
    {
        if (a is null)
        {
            return b;
        }
        if (b is null)
        {
            return a;
        }
        var result = new byte[a.Length];
        AndInto(a, b, result);
        return result;
    }

    public static void AndInto(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> result)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<byte>.Count <= result.Length; i += Vector<byte>.Count)
            {
                (new Vector<byte>(a[i..]) & new Vector<byte>(b[i..])).CopyTo(result[i..]);
            }
        }
        for (; i < result.Length; i++)
        {
            result[i] = (byte)(a[i] & b[i]);
        }
    }

    /// <summary>Clears the bits past <paramref name="length"/> in the last byte (so popcounts stay exact).</summary>
    public static void ClearTail(Span<byte> bits, int length)
    {
        var tail = length & 7;
        if (tail != 0 && bits.Length > 0)
        {
            bits[^1] &= (byte)((1 << tail) - 1);
        }
    }

    /// <summary>The null count for a bitmap of <paramref name="length"/> bits (null bitmap: no nulls).</summary>
    public static int NullCount(byte[]? validity, int length) =>
        validity is null ? 0 : length - BitUtil.CountSetBits(validity, 0, length);

    /// <summary>A validity buffer for ArrayData: empty when nothing is null.</summary>
    public static ReadOnlyMemory<byte> AsBuffer(byte[]? validity, int length) =>
        validity is null || NullCount(validity, length) == 0 ? ReadOnlyMemory<byte>.Empty : validity;

    /// <summary>A boolean array from a values bitmap and an optional validity bitmap, both starting at bit 0.</summary>
    public static BooleanArray Boolean(byte[] values, byte[]? validity, int length)
    {
        ClearTail(values, length);
        if (validity is not null)
        {
            ClearTail(validity, length);
        }
        var nulls = NullCount(validity, length);
        return new BooleanArray(new ArrayData(Types.ArrowType.Boolean, length, nulls,
            [nulls == 0 ? ReadOnlyMemory<byte>.Empty : validity, values]));
    }
}
