using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// Parquet's bit packing (the RLE/bit-packed hybrid's order, also used by DELTA_BINARY_PACKED): values are packed in
/// groups of 8, each group exactly <c>bitWidth</c> bytes, starting at the least significant bit of each byte.
/// </summary>
/// <remarks>
/// Counts are always multiples of 8 (whole groups); callers pad the last group. Arguments that only a caller can
/// get wrong (counts, widths, output sizes) throw <see cref="ArgumentException"/>; an input shorter than the groups
/// it must hold is data and throws <see cref="ParquetFormatException"/>. The unpackers read 8-byte words at
/// unaligned offsets and copy the last groups to a padded scratch buffer, so they never read past the input.
/// </remarks>
internal static partial class BitPacking
{
    /// <summary>Bytes taken by <paramref name="valueCount"/> values (a multiple of 8) at <paramref name="bitWidth"/>.</summary>
    public static int PackedLength(int valueCount, int bitWidth) => checked(valueCount / 8 * bitWidth);

    /// <summary>Packs <paramref name="values"/> (a multiple of 8 of them) into <c>count / 8 * bitWidth</c> bytes;
    /// bits above <paramref name="bitWidth"/> are ignored.</summary>
    public static void Pack(ReadOnlySpan<uint> values, int bitWidth, Span<byte> output)
    {
        var length = CheckPackArguments(values.Length, bitWidth, 32, output.Length);
        if (bitWidth == 0)
        {
            return;
        }
        if (bitWidth == 32)
        {
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(output.Slice(i * 4, 4), values[i]);
            }
            return;
        }
        var mask = (1UL << bitWidth) - 1;
        ulong pending = 0;
        var bits = 0;
        var o = 0;
        foreach (var value in values)
        {
            pending |= (value & mask) << bits;
            bits += bitWidth;
            if (bits >= 32)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(output.Slice(o, 4), (uint)pending);
                o += 4;
                pending >>= 32;
                bits -= 32;
            }
        }
        // 8 values of any width end on a byte boundary, so what is left is whole bytes.
        for (; o < length; o++)
        {
            output[o] = (byte)pending;
            pending >>= 8;
        }
    }

    /// <summary>Packs 64-bit values (bit widths 0..64), as DELTA_BINARY_PACKED needs for INT64 deltas.</summary>
    public static void Pack64(ReadOnlySpan<ulong> values, int bitWidth, Span<byte> output)
    {
        var length = CheckPackArguments(values.Length, bitWidth, 64, output.Length);
        if (bitWidth == 0)
        {
            return;
        }
        if (bitWidth == 64)
        {
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(i * 8, 8), values[i]);
            }
            return;
        }
        var mask = (1UL << bitWidth) - 1;
        var lowWidth = Math.Min(bitWidth, 32);
        var highWidth = bitWidth - lowWidth;
        ulong pending = 0;
        var bits = 0;
        var o = 0;
        foreach (var raw in values)
        {
            var value = raw & mask;
            // At most 32 bits go in at a time so that the accumulator (under 32 bits on entry) never overflows.
            pending |= (value & uint.MaxValue) << bits;
            bits += lowWidth;
            if (bits >= 32)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(output.Slice(o, 4), (uint)pending);
                o += 4;
                pending >>= 32;
                bits -= 32;
            }
            if (highWidth > 0)
            {
                pending |= (value >> 32) << bits;
                bits += highWidth;
                if (bits >= 32)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(output.Slice(o, 4), (uint)pending);
                    o += 4;
                    pending >>= 32;
                    bits -= 32;
                }
            }
        }
        for (; o < length; o++)
        {
            output[o] = (byte)pending;
            pending >>= 8;
        }
    }

    /// <summary>Unpacks <c>output.Length</c> values (a multiple of 8) of <paramref name="bitWidth"/> (0..32) bits.</summary>
    /// <exception cref="ParquetFormatException">The input holds fewer than <c>output.Length / 8 * bitWidth</c> bytes.</exception>
    public static void Unpack(ReadOnlySpan<byte> input, int bitWidth, Span<uint> output)
    {
        var groups = CheckUnpackArguments(input.Length, bitWidth, 32, output.Length);
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }
        if (bitWidth == 32)
        {
            var words = input[..(groups * 32)];
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, uint>(words).CopyTo(output);
            }
            else
            {
                for (var i = 0; i < output.Length; i++)
                {
                    output[i] = BinaryPrimitives.ReadUInt32LittleEndian(words.Slice(i * 4, 4));
                }
            }
            return;
        }
        UnpackSpecialised(input, bitWidth, output, groups);
    }

    /// <summary>Unpacks <c>output.Length</c> values (a multiple of 8) of <paramref name="bitWidth"/> (0..64) bits.</summary>
    /// <exception cref="ParquetFormatException">The input holds fewer than <c>output.Length / 8 * bitWidth</c> bytes.</exception>
    public static void Unpack64(ReadOnlySpan<byte> input, int bitWidth, Span<ulong> output)
    {
        var groups = CheckUnpackArguments(input.Length, bitWidth, 64, output.Length);
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }
        if (bitWidth == 64)
        {
            var words = input[..(groups * 64)];
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, ulong>(words).CopyTo(output);
            }
            else
            {
                for (var i = 0; i < output.Length; i++)
                {
                    output[i] = BinaryPrimitives.ReadUInt64LittleEndian(words.Slice(i * 8, 8));
                }
            }
            return;
        }
        ref var src = ref MemoryMarshal.GetReference(input);
        ref var dst = ref MemoryMarshal.GetReference(output);
        // A group starting at byte g*w reads 8-byte words up to byte g*w + w + 9 (a value may straddle 9 bytes).
        var fast = input.Length >= WideSlack ? Math.Min(groups, (input.Length - WideSlack) / bitWidth) : 0;
        for (var g = 0; g < fast; g++)
        {
            Unpack8Wide(ref Unsafe.Add(ref src, g * bitWidth), ref Unsafe.Add(ref dst, g * 8), bitWidth);
        }
        if (fast < groups)
        {
            Span<byte> tail = stackalloc byte[64 + WideSlack];
            for (var g = fast; g < groups; g++)
            {
                tail.Clear();
                input.Slice(g * bitWidth, bitWidth).CopyTo(tail);
                Unpack8Wide(ref MemoryMarshal.GetReference(tail), ref Unsafe.Add(ref dst, g * 8), bitWidth);
            }
        }
    }

    private const int WideSlack = 16;

    private static void Unpack8Wide(ref byte src, ref ulong dst, int bitWidth)
    {
        var mask = (1UL << bitWidth) - 1; // bitWidth < 64 here
        for (var j = 0; j < 8; j++)
        {
            var bit = j * bitWidth;
            var offset = bit >> 3;
            var shift = bit & 7;
            var value = Load64(ref src, offset) >> shift;
            if (shift + bitWidth > 64)
            {
                value |= (ulong)Unsafe.Add(ref src, offset + 8) << (64 - shift);
            }
            Unsafe.Add(ref dst, j) = value & mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Load64(ref byte src, int offset)
    {
        var value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    private static int CheckPackArguments(int count, int bitWidth, int maxWidth, int outputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitWidth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitWidth, maxWidth);
        if (count % 8 != 0)
        {
            throw new ArgumentException($"bit packing works on groups of 8 values, not {count}", nameof(count));
        }
        var length = (long)count / 8 * bitWidth;
        if (length > outputLength)
        {
            throw new ArgumentException($"{count} values of {bitWidth} bits need {length} bytes, the output has {outputLength}", nameof(outputLength));
        }
        return (int)length;
    }

    private static int CheckUnpackArguments(int inputLength, int bitWidth, int maxWidth, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitWidth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitWidth, maxWidth);
        if (count % 8 != 0)
        {
            throw new ArgumentException($"bit packing works on groups of 8 values, not {count}", nameof(count));
        }
        var groups = count / 8;
        var length = (long)groups * bitWidth;
        if (length > inputLength)
        {
            throw new ParquetFormatException($"bit-packed data is truncated: {count} values of {bitWidth} bits need {length} bytes, {inputLength} present");
        }
        return groups;
    }
}
