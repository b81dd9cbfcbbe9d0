using System.Numerics;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// DELTA_BINARY_PACKED (encoding 5) for INT32 and INT64, also the length streams of DELTA_LENGTH_BYTE_ARRAY and
/// DELTA_BYTE_ARRAY. All delta arithmetic wraps (two's complement) in the value's own width, as the format asks.
/// </summary>
/// <remarks>
/// The encoder writes blocks of 128 values in 4 miniblocks of 32, as parquet-mr and Arrow do. The decoder accepts
/// any block size that is a positive multiple of 8 split into miniblocks of a multiple of 8 values (the format says
/// 128 and 32, but its own examples use blocks of 8, and bit packing only needs groups of 8). Bit widths of
/// miniblocks the last block does not use are ignored, as the format requires; every miniblock that is read must be
/// present in full (padded), and widths up to 64 are accepted for both INT32 and INT64 (INT32 keeps the low 32
/// bits of each sum, which is the same result modulo 2^32).
/// </remarks>
internal static class DeltaBinaryPacked
{
    private const string Name = "DELTA_BINARY_PACKED";
    public const int BlockSize = 128;
    public const int MiniblocksPerBlock = 4;
    private const int MiniblockSize = BlockSize / MiniblocksPerBlock;

    /// <summary>Decodes in chunks of this many values through a scratch buffer on the stack.</summary>
    private const int Chunk = 64;

    public static void Encode(ReadOnlySpan<long> values, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteHeader(values.Length, values.IsEmpty ? 0 : values[0], output);
        Span<ulong> relative = stackalloc ulong[BlockSize];
        Span<byte> widths = stackalloc byte[MiniblocksPerBlock];
        for (var start = 1; start < values.Length; start += BlockSize)
        {
            var count = Math.Min(BlockSize, values.Length - start);
            var minDelta = long.MaxValue;
            for (var k = 0; k < count; k++)
            {
                var delta = unchecked(values[start + k] - values[start + k - 1]);
                relative[k] = (ulong)delta;
                minDelta = Math.Min(minDelta, delta);
            }
            for (var k = 0; k < count; k++)
            {
                relative[k] = unchecked(relative[k] - (ulong)minDelta);
            }
            relative[count..].Clear();
            output.AppendVarInt64(minDelta);
            var used = (count + MiniblockSize - 1) / MiniblockSize;
            for (var m = 0; m < MiniblocksPerBlock; m++)
            {
                ulong bits = 0;
                if (m < used)
                {
                    foreach (var r in relative.Slice(m * MiniblockSize, MiniblockSize))
                    {
                        bits |= r;
                    }
                }
                widths[m] = (byte)(64 - BitOperations.LeadingZeroCount(bits));
            }
            output.Append(widths);
            for (var m = 0; m < used; m++)
            {
                var length = widths[m] * MiniblockSize / 8;
                if (length > 0)
                {
                    BitPacking.Pack64(relative.Slice(m * MiniblockSize, MiniblockSize), widths[m], output.GetSpan(length));
                    output.Advance(length);
                }
            }
        }
    }

    public static void Encode(ReadOnlySpan<int> values, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteHeader(values.Length, values.IsEmpty ? 0 : values[0], output);
        Span<uint> relative = stackalloc uint[BlockSize];
        Span<byte> widths = stackalloc byte[MiniblocksPerBlock];
        for (var start = 1; start < values.Length; start += BlockSize)
        {
            var count = Math.Min(BlockSize, values.Length - start);
            var minDelta = int.MaxValue;
            for (var k = 0; k < count; k++)
            {
                var delta = unchecked(values[start + k] - values[start + k - 1]);
                relative[k] = (uint)delta;
                minDelta = Math.Min(minDelta, delta);
            }
            for (var k = 0; k < count; k++)
            {
                relative[k] = unchecked(relative[k] - (uint)minDelta);
            }
            relative[count..].Clear();
            output.AppendVarInt64(minDelta);
            var used = (count + MiniblockSize - 1) / MiniblockSize;
            for (var m = 0; m < MiniblocksPerBlock; m++)
            {
                uint bits = 0;
                if (m < used)
                {
                    foreach (var r in relative.Slice(m * MiniblockSize, MiniblockSize))
                    {
                        bits |= r;
                    }
                }
                widths[m] = (byte)(32 - BitOperations.LeadingZeroCount(bits));
            }
            output.Append(widths);
            for (var m = 0; m < used; m++)
            {
                var length = widths[m] * MiniblockSize / 8;
                if (length > 0)
                {
                    BitPacking.Pack(relative.Slice(m * MiniblockSize, MiniblockSize), widths[m], output.GetSpan(length));
                    output.Advance(length);
                }
            }
        }
    }

    private static void WriteHeader(int count, long first, ByteBuffer output)
    {
        output.AppendVarUInt64(BlockSize);
        output.AppendVarUInt64(MiniblocksPerBlock);
        output.AppendVarUInt64((ulong)count);
        output.AppendVarInt64(first);
    }

    /// <summary>The value count announced by the header, to size the output before <see cref="Decode(ReadOnlySpan{byte}, Span{long})"/>.</summary>
    public static int ReadTotalCount(ReadOnlySpan<byte> input)
    {
        var position = 0;
        return ReadHeader(input, ref position).TotalCount;
    }

    /// <summary>Decodes all values the header announces into the start of <paramref name="output"/>.</summary>
    /// <returns>The bytes consumed, up to the end of the last miniblock read.</returns>
    public static int Decode(ReadOnlySpan<byte> input, Span<long> output) => DecodeCore(input, output, firstOnly: false, skip: 0);

    /// <inheritdoc cref="Decode(ReadOnlySpan{byte}, Span{long})"/>
    public static int Decode(ReadOnlySpan<byte> input, Span<int> output) => DecodeCore(input, output, firstOnly: false, skip: 0);

    /// <summary>
    /// Decodes only the first <c>output.Length</c> values (each value is the sum of the deltas before it, so a
    /// value in the middle needs all before it, but none after).
    /// </summary>
    public static int DecodeFirst(ReadOnlySpan<byte> input, Span<long> output) => DecodeCore(input, output, firstOnly: true, skip: 0);

    /// <inheritdoc cref="DecodeFirst(ReadOnlySpan{byte}, Span{long})"/>
    public static int DecodeFirst(ReadOnlySpan<byte> input, Span<int> output) => DecodeCore(input, output, firstOnly: true, skip: 0);

    /// <summary>
    /// Decodes the <c>output.Length</c> values after the first <paramref name="skip"/>. The skipped values are summed,
    /// not written: a miniblock of equal deltas (bit width 0, as regular timestamps are) is stepped over in one
    /// multiplication, so a window late in a page of evenly spaced times costs its own values, not the page's.
    /// </summary>
    public static int DecodeRange(ReadOnlySpan<byte> input, int skip, Span<long> output) => DecodeCore(input, output, firstOnly: true, skip);

    /// <inheritdoc cref="DecodeRange(ReadOnlySpan{byte}, int, Span{long})"/>
    public static int DecodeRange(ReadOnlySpan<byte> input, int skip, Span<int> output) => DecodeCore(input, output, firstOnly: true, skip);

    private static int DecodeCore<T>(ReadOnlySpan<byte> input, Span<T> output, bool firstOnly, int skip)
        where T : unmanaged, IBinaryInteger<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        var position = 0;
        var header = ReadHeader(input, ref position);
        var total = header.TotalCount;
        if (firstOnly)
        {
            if ((long)total < (long)skip + output.Length)
            {
                EncodingErrors.Throw(Name, 0, skip == 0
                    ? $"the header announces {total} values, {output.Length} are wanted"
                    : $"the header announces {total} values, {output.Length} are wanted after {skip}");
            }
            total = skip + output.Length;
        }
        else if (total > output.Length)
        {
            EncodingErrors.OutputTooSmall(Name, 0, total, output.Length);
        }
        if (total == 0 || (firstOnly && output.Length == 0))
        {
            return position;
        }
        if (typeof(T) == typeof(int) && header.FirstValue != (int)header.FirstValue)
        {
            EncodingErrors.Throw(Name, 0, $"first value {header.FirstValue} does not fit in INT32");
        }
        var last = T.CreateTruncating(header.FirstValue);
        if (skip == 0)
        {
            output[0] = last;
        }
        // produced counts values from the start of the page, skipped ones included; value i goes to output[i - skip].
        var produced = 1;
        var perMiniblock = header.ValuesPerMiniblock;
        Span<uint> narrow = stackalloc uint[Chunk];
        Span<ulong> wide = stackalloc ulong[Chunk];
        while (produced < total)
        {
            var minDelta = T.CreateTruncating(Leb128.ReadZigZag64(input, ref position, Name, "a block's min delta"));
            var miniblocks = header.MiniblockCount;
            if (input.Length - position < miniblocks)
            {
                EncodingErrors.Truncated(Name, position, "the miniblock bit widths", miniblocks, input.Length - position);
            }
            var widths = input.Slice(position, miniblocks);
            position += miniblocks;
            for (var m = 0; m < miniblocks && produced < total; m++)
            {
                int width = widths[m];
                if (width > 64)
                {
                    EncodingErrors.Throw(Name, position - miniblocks + m, $"miniblock bit width {width} exceeds 64");
                }
                var length = (long)perMiniblock * width / 8;
                if (length > input.Length - position)
                {
                    EncodingErrors.Truncated(Name, position, "a miniblock", length, input.Length - position);
                }
                var take = Math.Min(perMiniblock, total - produced);
                // The miniblock's first values that fall before the window are summed only.
                var hidden = Math.Clamp(skip - produced, 0, take);
                var destination = hidden < take ? output.Slice(produced + hidden - skip, take - hidden) : [];
                var packed = input.Slice(position, (int)length);
                if (width == 0)
                {
                    // Equal deltas: the hidden ones in one multiplication.
                    last = FillEven(last + (minDelta * T.CreateTruncating(hidden)), minDelta, destination);
                }
                else
                {
                    for (var done = 0; done < take; done += Chunk)
                    {
                        var count = Math.Min(Chunk, take - done);
                        var padded = (count + 7) & ~7;
                        var source = packed.Slice(done / 8 * width, padded / 8 * width);
                        if (width <= 32)
                        {
                            BitPacking.Unpack(source, width, narrow[..padded]);
                            last = Accumulate(last, minDelta, narrow[..count], destination, done - hidden);
                        }
                        else
                        {
                            BitPacking.Unpack64(source, width, wide[..padded]);
                            last = Accumulate(last, minDelta, wide[..count], destination, done - hidden);
                        }
                    }
                }
                produced += take;
                position += (int)length;
            }
        }
        return position;
    }

    /// <summary>Writes <paramref name="start"/> + step, + 2 step, … into <paramref name="destination"/>; returns the last.</summary>
    private static T FillEven<T>(T start, T step, Span<T> destination)
        where T : unmanaged, IBinaryInteger<T>
    {
        var value = start;
        for (var k = 0; k < destination.Length; k++)
        {
            value += step;
            destination[k] = value;
        }
        return value;
    }

    /// <summary>
    /// Adds each delta (plus the block's min delta) to <paramref name="last"/> and writes the running value for delta k
    /// to <c>destination[k + offset]</c> when that is not negative (the values before a window are summed only).
    /// Kept apart from the decoding loop so that the running value lives in a register (in the loop's own body the
    /// chain of additions went through memory, ~10 cycles a value).
    /// </summary>
    private static T Accumulate<T, TDelta>(T last, T minDelta, ReadOnlySpan<TDelta> deltas, Span<T> destination, int offset)
        where T : unmanaged, IBinaryInteger<T>
        where TDelta : unmanaged, IBinaryInteger<TDelta>
    {
        var value = last;
        var k = 0;
        for (; k < deltas.Length && k + offset < 0; k++)
        {
            value += minDelta + T.CreateTruncating(deltas[k]);
        }
        if (k == deltas.Length)
        {
            return value;   // every one before the window (a miniblock wider than one chunk)
        }
        var target = destination[(k + offset)..];
        for (var i = 0; k < deltas.Length; k++, i++)
        {
            value += minDelta + T.CreateTruncating(deltas[k]);
            target[i] = value;
        }
        return value;
    }

    private static Header ReadHeader(ReadOnlySpan<byte> input, ref int position)
    {
        var start = position;
        var blockSize = Leb128.ReadInt32(input, ref position, Name, "the block size");
        if (blockSize == 0 || blockSize % 8 != 0)
        {
            EncodingErrors.Throw(Name, start, $"block size {blockSize} is not a positive multiple of 8");
        }
        var at = position;
        var miniblocks = Leb128.ReadInt32(input, ref position, Name, "the miniblock count");
        if (miniblocks == 0 || blockSize % miniblocks != 0 || blockSize / miniblocks % 8 != 0)
        {
            EncodingErrors.Throw(Name, at, $"{miniblocks} miniblocks do not split a block of {blockSize} into multiples of 8 values");
        }
        var total = Leb128.ReadInt32(input, ref position, Name, "the total value count");
        var first = Leb128.ReadZigZag64(input, ref position, Name, "the first value");
        return new Header(miniblocks, blockSize / miniblocks, total, first);
    }

    private readonly record struct Header(int MiniblockCount, int ValuesPerMiniblock, int TotalCount, long FirstValue);
}
