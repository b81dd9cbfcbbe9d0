using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tsdb.Arrow.Memory;

/// <summary>Validity and boolean bitmaps: LSB-first bit order, as Columnar.rst specifies.</summary>
public static class BitUtil
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool GetBit(ReadOnlySpan<byte> bits, int index) => (bits[index >> 3] & (1 << (index & 7))) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetBit(Span<byte> bits, int index) => bits[index >> 3] |= (byte)(1 << (index & 7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClearBit(Span<byte> bits, int index) => bits[index >> 3] &= (byte)~(1 << (index & 7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetBit(Span<byte> bits, int index, bool value)
    {
        if (value)
        {
            SetBit(bits, index);
        }
        else
        {
            ClearBit(bits, index);
        }
    }

    /// <summary>Bytes needed for <paramref name="bitCount"/> bits.</summary>
    public static int BytesFor(long bitCount) => checked((int)((bitCount + 7) >> 3));

    /// <summary>Rounds up to a multiple of 8 (IPC buffer padding).</summary>
    public static long Pad8(long length) => (length + 7) & ~7L;

    /// <summary>Rounds up to a multiple of 64 (in-memory buffer padding).</summary>
    public static int Pad64(int length) => (length + 63) & ~63;

    /// <summary>Number of set bits in bits [offset, offset + length).</summary>
    public static int CountSetBits(ReadOnlySpan<byte> bits, int offset, int length)
    {
        if (length == 0)
        {
            return 0;
        }
        var count = 0;
        var i = offset;
        var end = offset + length;
        // Leading bits up to a byte boundary.
        while (i < end && (i & 7) != 0)
        {
            count += GetBit(bits, i) ? 1 : 0;
            i++;
        }
        // Whole 64-bit words, then whole bytes.
        var byteIndex = i >> 3;
        var wholeBytes = (end - i) >> 3;
        var words = wholeBytes >> 3;
        var wordSpan = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bits.Slice(byteIndex, words * 8));
        foreach (var w in wordSpan)
        {
            count += BitOperations.PopCount(w);
        }
        for (var b = byteIndex + (words * 8); b < byteIndex + wholeBytes; b++)
        {
            count += BitOperations.PopCount(bits[b]);
        }
        i += wholeBytes * 8;
        while (i < end)
        {
            count += GetBit(bits, i) ? 1 : 0;
            i++;
        }
        return count;
    }

    /// <summary>Copies <paramref name="length"/> bits starting at bit <paramref name="sourceOffset"/> to bit 0 of
    /// <paramref name="destination"/>; bits past the end of the last byte are zeroed.</summary>
    public static void CopyBits(ReadOnlySpan<byte> source, int sourceOffset, int length, Span<byte> destination)
    {
        var bytes = BytesFor(length);
        if ((sourceOffset & 7) == 0)
        {
            source.Slice(sourceOffset >> 3, bytes).CopyTo(destination);
        }
        else
        {
            var shift = sourceOffset & 7;
            var start = sourceOffset >> 3;
            for (var b = 0; b < bytes; b++)
            {
                var lo = source[start + b] >> shift;
                var hi = start + b + 1 < source.Length ? source[start + b + 1] << (8 - shift) : 0;
                destination[b] = (byte)(lo | hi);
            }
        }
        var tail = length & 7;
        if (tail != 0)
        {
            destination[bytes - 1] &= (byte)((1 << tail) - 1);
        }
    }
}
