using System.Runtime.CompilerServices;
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
    public static int DecodeRange(ReadOnlySpan<byte> input, int skip, Span<long> output, BlockIndex? index = null) => DecodeCore(input, output, firstOnly: true, skip, index);

    /// <inheritdoc cref="DecodeRange(ReadOnlySpan{byte}, int, Span{long}, BlockIndex?)"/>
    public static int DecodeRange(ReadOnlySpan<byte> input, int skip, Span<int> output, BlockIndex? index = null) => DecodeCore(input, output, firstOnly: true, skip, index);

    /// <summary>
    /// Where each block of a page's values starts and the value just before it, so that a window in the middle of a
    /// page starts at its block instead of summing every delta before it (a series' hour in a page of a day of
    /// random-walk integers summed 4,000 deltas to write 360). Built by one pass over the page (<see cref="Index"/>)
    /// for pages that are read again, which a read cache keeps.
    /// </summary>
    internal sealed class BlockIndex
    {
        internal BlockIndex(int totalCount, int blockSize, int[] offsets, long[] before) =>
            (TotalCount, BlockSize, Offsets, Before) = (totalCount, blockSize, offsets, before);

        public int TotalCount { get; }

        /// <summary>Values per block: block k holds values 1 + k·BlockSize onwards (value 0 is in the header).</summary>
        public int BlockSize { get; }

        /// <summary>Each block's position in the page's values.</summary>
        public int[] Offsets { get; }

        /// <summary>The value before each block's first (so the last one summed before it).</summary>
        public long[] Before { get; }

        /// <summary>Bytes it holds, at most, for a page of <paramref name="values"/> values (blocks of at least <see cref="MinIndexedBlockSize"/>).</summary>
        public static long BytesFor(int values) => 64 + (12L * ((Math.Max(values, 0) / MinIndexedBlockSize) + 1));

        /// <summary>Where to start for value <paramref name="skip"/>: the last block starting at or before it.</summary>
        public (int Position, long Last, int Produced) StartFor(int skip)
        {
            var block = skip <= 1 ? 0 : Math.Min((skip - 1) / BlockSize, Offsets.Length - 1);
            return block <= 0 ? (-1, 0, 1) : (Offsets[block], Before[block], 1 + (block * BlockSize));
        }
    }

    /// <summary>Blocks of fewer values than this are not indexed (an index entry per few values would cost more than it saves).</summary>
    public const int MinIndexedBlockSize = 64;

    /// <summary>
    /// The page's <see cref="BlockIndex"/>, validating every block as a decode would; null when its blocks hold fewer
    /// than <see cref="MinIndexedBlockSize"/> values.
    /// </summary>
    public static BlockIndex? Index(ReadOnlySpan<byte> input)
    {
        var position = 0;
        var header = ReadHeader(input, ref position);
        var blockSize = header.MiniblockCount * header.ValuesPerMiniblock;
        if (blockSize < MinIndexedBlockSize)
        {
            return null;
        }
        var total = header.TotalCount;
        var blocks = total <= 1 ? 0 : ((total - 2) / blockSize) + 1;
        var offsets = new int[blocks];
        var before = new long[blocks];
        var last = header.FirstValue;
        var produced = 1;
        var perMiniblock = header.ValuesPerMiniblock;
        Span<uint> narrow = stackalloc uint[Chunk];
        Span<ulong> wide = stackalloc ulong[Chunk];
        for (var b = 0; b < blocks; b++)
        {
            offsets[b] = position;
            before[b] = last;
            var widths = ReadBlock(input, ref position, header.MiniblockCount, out var minDelta);
            for (var m = 0; m < widths.Length && produced < total; m++)
            {
                int width = widths[m];
                var length = MiniblockLength(input, position, position - widths.Length + m, width, perMiniblock);
                var take = Math.Min(perMiniblock, total - produced);
                last = width == 0 ? unchecked(last + (minDelta * take)) : SumMiniblock(input.Slice(position, (int)length), width, take, minDelta, last, narrow, wide);
                produced += take;
                position += (int)length;
            }
        }
        return new BlockIndex(total, blockSize, offsets, before);
    }

    /// <summary>
    /// The values among the <paramref name="count"/> after the first <paramref name="skip"/> that lie in
    /// [<paramref name="min"/>, <paramref name="max"/>], as runs [start, end) of positions in that window, ascending,
    /// appended to <paramref name="runs"/>. Nothing is written per value where a miniblock's deltas are equal (bit
    /// width 0, as regular timestamps are): its values step evenly, so the ones in range are found by division. A time
    /// range over a page of several series' evenly spaced times so costs a few operations per miniblock.
    /// </summary>
    public static void SelectInRange(ReadOnlySpan<byte> input, int skip, int count, long min, long max, List<(int Start, int End)> runs, BlockIndex? index = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(runs);
        var position = 0;
        var header = ReadHeader(input, ref position);
        if ((long)header.TotalCount < (long)skip + count)
        {
            EncodingErrors.Throw(Name, 0, $"the header announces {header.TotalCount} values, {count} are wanted after {skip}");
        }
        var end = skip + count;
        if (count == 0 || min > max)
        {
            return;
        }
        // Positions in the page: value p goes to window position p - skip.
        void Add(int from, int to)
        {
            from = Math.Max(from, skip) - skip;
            to = Math.Min(to, end) - skip;
            if (from >= to)
            {
                return;
            }
            if (runs.Count > 0 && runs[^1].End == from)
            {
                runs[^1] = (runs[^1].Start, to);
            }
            else
            {
                runs.Add((from, to));
            }
        }
        var last = header.FirstValue;
        if (last >= min && last <= max)
        {
            Add(0, 1);
        }
        var produced = 1;
        if (Indexed(index, header, skip) is { } start)
        {
            (position, last, produced) = start;
        }
        var perMiniblock = header.ValuesPerMiniblock;
        var blockSize = header.MiniblockCount * perMiniblock;
        if (index is not null && (index.TotalCount != header.TotalCount || index.BlockSize != blockSize))
        {
            throw new ArgumentException("the block index was built from another page", nameof(index));
        }
        Span<uint> narrow = stackalloc uint[Chunk];
        Span<ulong> wide = stackalloc ulong[Chunk];
        while (produced < end)
        {
            var blockStart = position;
            var widths = ReadBlock(input, ref position, header.MiniblockCount, out var minDelta);
            // With the index, a whole block whose values cannot fall (and cannot wrap) lies between the value before
            // it and the one after it: all out of range or all in it, decided without its miniblocks (a series'
            // day of times against an hour).
            if (index is not null && MonotonicBlock(index, blockStart, produced, blockSize, last, minDelta, widths) is { } after)
            {
                // Its values run from at least last + minDelta up to after: all in the range or none, or the range
                // cuts the block and its miniblocks decide (below).
                var take = Math.Min(blockSize, end - produced);
                var allIn = last + minDelta >= min && after <= max;
                if (allIn || after < min || last + minDelta > max)
                {
                    if (allIn)
                    {
                        Add(produced, produced + take);
                    }
                    if (take < blockSize)
                    {
                        break;   // the window ends in this block
                    }
                    position = index.Offsets[((produced - 1) / blockSize) + 1];
                    last = after;
                    produced += blockSize;
                    continue;
                }
            }
            for (var m = 0; m < widths.Length && produced < end; m++)
            {
                int width = widths[m];
                var length = MiniblockLength(input, position, position - widths.Length + m, width, perMiniblock);
                var take = Math.Min(perMiniblock, end - produced);
                if (width == 0)
                {
                    // Values last + k·minDelta for k = 1 … take, at positions produced + k - 1.
                    if (EvenRun(last, minDelta, take, min, max) is { } run)
                    {
                        if (run.Lo <= run.Hi)
                        {
                            Add(produced + run.Lo - 1, produced + run.Hi);
                        }
                    }
                    else
                    {
                        var value = last;
                        for (var k = 1; k <= take; k++)
                        {
                            value = unchecked(value + minDelta);
                            if (value >= min && value <= max)
                            {
                                Add(produced + k - 1, produced + k);
                            }
                        }
                    }
                    last = unchecked(last + (minDelta * take));
                }
                else if (produced + take <= skip)
                {
                    // Wholly before the window: only the sum is needed.
                    last = SumMiniblock(input.Slice(position, (int)length), width, take, minDelta, last, narrow, wide);
                }
                else
                {
                    var packed = input.Slice(position, (int)length);
                    for (var done = 0; done < take; done += Chunk)
                    {
                        var n = Math.Min(Chunk, take - done);
                        var padded = (n + 7) & ~7;
                        var source = packed.Slice(done / 8 * width, padded / 8 * width);
                        var at = produced + done;
                        if (width <= 32)
                        {
                            BitPacking.Unpack(source, width, narrow[..padded]);
                            for (var k = 0; k < n; k++)
                            {
                                last = unchecked(last + minDelta + narrow[k]);
                                if (last >= min && last <= max)
                                {
                                    Add(at + k, at + k + 1);
                                }
                            }
                        }
                        else
                        {
                            BitPacking.Unpack64(source, width, wide[..padded]);
                            for (var k = 0; k < n; k++)
                            {
                                last = unchecked(last + minDelta + (long)wide[k]);
                                if (last >= min && last <= max)
                                {
                                    Add(at + k, at + k + 1);
                                }
                            }
                        }
                    }
                }
                produced += take;
                position += (int)length;
            }
        }
    }

    /// <summary>
    /// For the values <paramref name="last"/> + k·<paramref name="step"/>, k = 1 … <paramref name="take"/>: the first and
    /// last k whose value lies in [min, max] (first &gt; last when none does); a miniblock the range cuts is divided in 128
    /// bits. Null when the values would wrap around 64 bits (as the decoder's sums do), so are not monotonic: the caller
    /// tests them one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Lo, int Hi)? EvenRun(long last, long step, int take, long min, long max)
    {
        // The last value, last + take·step, in 64 bits when it fits (it nearly always does). A step under 2^47 times
        // a miniblock's values (at most 2^15 here) cannot overflow the product; larger steps are checked in 128 bits.
        long product;
        if (step is > -(1L << 47) and < 1L << 47 && take <= 1 << 15)
        {
            product = step * take;
        }
        else if (!FitsInt64(step, take, out product))
        {
            return null;
        }
        var end = unchecked(last + product);
        if (((last ^ end) & (product ^ end)) < 0)
        {
            return null;
        }
        if (step == 0)
        {
            return last >= min && last <= max ? (1, take) : (1, 0);
        }
        // Most miniblocks of a series' times lie wholly outside an asked range, or wholly inside it: no division. The
        // first value, last + step, lies between last and end, so it cannot overflow either.
        var (low, high) = step > 0 ? (last + step, end) : (end, last + step);
        if (high < min || low > max)
        {
            return (1, 0);
        }
        if (low >= min && high <= max)
        {
            return (1, take);
        }
        return Divided(last, step, take, min, max);
    }

    /// <summary>The k range of <see cref="EvenRun"/> for a miniblock the range cuts through, by division (kept apart: the
    /// 128-bit arithmetic made the common path, a miniblock wholly in or out, several times slower).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Lo, int Hi) Divided(long last, long step, int take, long min, long max)
    {
        Int128 first, final;
        if (step > 0)
        {
            first = CeilingDivide((Int128)min - last, step);
            final = FloorDivide((Int128)max - last, step);
        }
        else
        {
            first = CeilingDivide((Int128)max - last, step);
            final = FloorDivide((Int128)min - last, step);
        }
        return ((int)Int128.Clamp(first, 1, take + 1L), (int)Int128.Clamp(final, 0, take));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool FitsInt64(long step, int take, out long product)
    {
        var wide = (Int128)step * take;
        product = (long)wide;
        return wide >= long.MinValue && wide <= long.MaxValue;
    }

    private static Int128 FloorDivide(Int128 a, long b)
    {
        var q = Int128.DivRem(a, b);
        return q.Remainder != 0 && (q.Remainder < 0) != (b < 0) ? q.Quotient - 1 : q.Quotient;
    }

    private static Int128 CeilingDivide(Int128 a, long b)
    {
        var q = Int128.DivRem(a, b);
        return q.Remainder != 0 && (q.Remainder < 0) == (b < 0) ? q.Quotient + 1 : q.Quotient;
    }

    /// <summary>The value after a miniblock's <paramref name="take"/> deltas, none written (all before the window: <see cref="Accumulate"/> only sums).</summary>
    private static long SumMiniblock(ReadOnlySpan<byte> packed, int width, int take, long minDelta, long last, Span<uint> narrow, Span<ulong> wide)
    {
        for (var done = 0; done < take; done += Chunk)
        {
            var n = Math.Min(Chunk, take - done);
            var padded = (n + 7) & ~7;
            var source = packed.Slice(done / 8 * width, padded / 8 * width);
            if (width <= 32)
            {
                BitPacking.Unpack(source, width, narrow[..padded]);
                last = Accumulate(last, minDelta, narrow[..n], [], -n);
            }
            else
            {
                BitPacking.Unpack64(source, width, wide[..padded]);
                last = Accumulate(last, minDelta, wide[..n], [], -n);
            }
        }
        return last;
    }

    /// <summary>A block's header: its min delta, and its miniblocks' bit widths (returned; the position moves past them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> ReadBlock(ReadOnlySpan<byte> input, ref int position, int miniblocks, out long minDelta)
    {
        minDelta = Leb128.ReadZigZag64(input, ref position, Name, "a block's min delta");
        if (input.Length - position < miniblocks)
        {
            EncodingErrors.Truncated(Name, position, "the miniblock bit widths", miniblocks, input.Length - position);
        }
        var widths = input.Slice(position, miniblocks);
        position += miniblocks;
        return widths;
    }

    /// <summary>The bytes of a miniblock at <paramref name="position"/> of this bit width (read at <paramref name="widthAt"/>), checked against the input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long MiniblockLength(ReadOnlySpan<byte> input, int position, int widthAt, int width, int perMiniblock)
    {
        if (width > 64)
        {
            EncodingErrors.Throw(Name, widthAt, $"miniblock bit width {width} exceeds 64");
        }
        var length = (long)perMiniblock * width / 8;
        if (length > input.Length - position)
        {
            EncodingErrors.Truncated(Name, position, "a miniblock", length, input.Length - position);
        }
        return length;
    }

    /// <summary>
    /// The value after a block of the index (<paramref name="blockStart"/> its position, <paramref name="produced"/>
    /// the values before it) when its values never fall and never wrap: every delta at least 0 and the largest sum
    /// within 64 bits, so its values lie between <paramref name="last"/> and the one returned. Null otherwise, and for
    /// the page's last block (its end is not in the index).
    /// </summary>
    private static long? MonotonicBlock(BlockIndex index, int blockStart, int produced, int blockSize, long last, long minDelta, ReadOnlySpan<byte> widths)
    {
        if ((produced - 1) % blockSize != 0)
        {
            return null;
        }
        var block = (produced - 1) / blockSize;
        if (block + 1 >= index.Offsets.Length || index.Offsets[block] != blockStart || minDelta < 0)
        {
            return null;
        }
        var widest = 0;
        foreach (var w in widths)
        {
            widest = Math.Max(widest, w);
        }
        if (widest > 62)
        {
            return null;
        }
        var largestDelta = (Int128)minDelta + ((Int128)1 << widest) - 1;
        return (Int128)last + (largestDelta * blockSize) <= long.MaxValue ? index.Before[block + 1] : null;
    }

    /// <summary>Where a read from value <paramref name="skip"/> may start by the index (null: from the page's first block).</summary>
    private static (int Position, long Last, int Produced)? Indexed(BlockIndex? index, Header header, int skip)
    {
        if (index is null || skip <= 1)
        {
            return null;
        }
        if (index.TotalCount != header.TotalCount || index.BlockSize != header.MiniblockCount * header.ValuesPerMiniblock)
        {
            throw new ArgumentException("the block index was built from another page", nameof(index));
        }
        var start = index.StartFor(skip);
        return start.Produced > 1 ? start : null;
    }

    private static int DecodeCore<T>(ReadOnlySpan<byte> input, Span<T> output, bool firstOnly, int skip, BlockIndex? index = null)
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
        if (Indexed(index, header, skip) is { } start)
        {
            position = start.Position;
            last = T.CreateTruncating(start.Last);
            produced = start.Produced;
        }
        var perMiniblock = header.ValuesPerMiniblock;
        Span<uint> narrow = stackalloc uint[Chunk];
        Span<ulong> wide = stackalloc ulong[Chunk];
        while (produced < total)
        {
            var widths = ReadBlock(input, ref position, header.MiniblockCount, out var blockMinDelta);
            var minDelta = T.CreateTruncating(blockMinDelta);
            for (var m = 0; m < widths.Length && produced < total; m++)
            {
                int width = widths[m];
                var length = MiniblockLength(input, position, position - widths.Length + m, width, perMiniblock);
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
