using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class DeltaBinaryPackedTests
{
    internal static byte[] Encode(ReadOnlySpan<long> values)
    {
        using var buffer = new ByteBuffer();
        DeltaBinaryPacked.Encode(values, buffer);
        return buffer.ToArray();
    }

    internal static byte[] Encode(ReadOnlySpan<int> values)
    {
        using var buffer = new ByteBuffer();
        DeltaBinaryPacked.Encode(values, buffer);
        return buffer.ToArray();
    }

    private static long[] DecodeInt64(byte[] encoded, out int consumed)
    {
        var count = DeltaBinaryPacked.ReadTotalCount(encoded);
        var output = new Guarded<long>(count, 0x5A5A5A5A5A5A5A5A);
        consumed = DeltaBinaryPacked.Decode(encoded, output.Span);
        output.AssertGuardsIntact();
        return output.Span.ToArray();
    }

    private static int[] DecodeInt32(byte[] encoded, out int consumed)
    {
        var count = DeltaBinaryPacked.ReadTotalCount(encoded);
        var output = new Guarded<int>(count, 0x5A5A5A5A);
        consumed = DeltaBinaryPacked.Decode(encoded, output.Span);
        output.AssertGuardsIntact();
        return output.Span.ToArray();
    }

    [Fact]
    public void Spec_example_1_decodes()
    {
        // Block size 8 (the spec's short examples), 1 miniblock, 5 values, first 1; min delta 1, bit width 0.
        byte[] encoded = [0x08, 0x01, 0x05, 0x02, 0x02, 0x00];
        long[] expected = [1, 2, 3, 4, 5];
        Assert.Equal(expected, DecodeInt64(encoded, out var consumed));
        Assert.Equal(6, consumed);
        int[] expected32 = [1, 2, 3, 4, 5];
        Assert.Equal(expected32, DecodeInt32(encoded, out _));
    }

    [Fact]
    public void Spec_example_2_decodes()
    {
        // 7,5,3,1,2,3,4,5: min delta -2, width 2, relative deltas 0,0,0,3,3,3,3 (+1 padding) in 2 bytes.
        byte[] encoded = [0x08, 0x01, 0x08, 0x0E, 0x03, 0x02, 0xC0, 0x3F];
        long[] expected = [7, 5, 3, 1, 2, 3, 4, 5];
        Assert.Equal(expected, DecodeInt64(encoded, out var consumed));
        Assert.Equal(8, consumed);
    }

    [Fact]
    public void Encoder_uses_blocks_of_128_in_4_miniblocks()
    {
        long[] values = [1, 2, 3, 4, 5];
        // 128, 4 miniblocks, 5 values, first 1 | min delta 1, four zero widths, no miniblock bytes.
        byte[] expected = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00];
        Assert.Equal(expected, Encode(values));
        int[] values32 = [1, 2, 3, 4, 5];
        Assert.Equal(expected, Encode(values32));
        Assert.Equal(new byte[] { 0x80, 0x01, 0x04, 0x00, 0x00 }, Encode(ReadOnlySpan<long>.Empty));
        Assert.Equal(new byte[] { 0x80, 0x01, 0x04, 0x01, 0x0E }, Encode([7L]));
    }

    [Fact]
    public void Seven_five_three_round_trips_with_one_miniblock_of_width_2()
    {
        long[] values = [7, 5, 3, 1, 2, 3, 4, 5];
        var encoded = Encode(values);
        // header (5) + min delta (1) + 4 widths + 32 values × 2 bits.
        Assert.Equal(5 + 1 + 4 + 8, encoded.Length);
        Assert.Equal(2, encoded[6]);
        Assert.Equal(values, DecodeInt64(encoded, out var consumed));
        Assert.Equal(encoded.Length, consumed);
    }

    private static readonly int[] BlockEdges = [127, 128, 129, 255, 256, 257, 1000, 2000];

    /// <summary>The window positions whose values lie in [min, max], as runs, found value by value.</summary>
    private static List<(int, int)> RunsInRange(long[] values, int skip, int count, long min, long max)
    {
        var expected = new List<(int, int)>();
        for (var p = 0; p < count; p++)
        {
            var v = values[skip + p];
            if (v >= min && v <= max)
            {
                if (expected.Count > 0 && expected[^1].Item2 == p)
                {
                    expected[^1] = (expected[^1].Item1, p + 1);
                }
                else
                {
                    expected.Add((p, p + 1));
                }
            }
        }
        return expected;
    }

    public static TheoryData<string> Int64Cases() =>
    [
        "empty", "one", "two", "8", "32", "33", "128", "129", "257", "1000", "extremes", "random", "timestamps", "alternating", "constant", "even", "wrapping",
    ];

    private static long[] Int64Values(string name, Random rng) => name switch
    {
        "empty" => [],
        "one" => [long.MinValue],
        "two" => [long.MaxValue, long.MinValue],
        "8" => Sequence(rng, 8, 1L << 62),
        "32" => Sequence(rng, 32, 1000),
        "33" => Sequence(rng, 33, 1000),
        "128" => Sequence(rng, 128, 1L << 40),
        "129" => Sequence(rng, 129, 5),
        "257" => Sequence(rng, 257, 1L << 20),
        "1000" => Sequence(rng, 1000, 1L << 50),
        "extremes" => [0, long.MaxValue, long.MinValue, -1, long.MaxValue, 1, long.MinValue, long.MinValue, long.MaxValue, 0],
        "random" => [.. Enumerable.Range(0, 777).Select(_ => (long)(((ulong)rng.NextInt64() << 1) ^ (ulong)rng.Next(2)))],
        "timestamps" => [.. Enumerable.Range(0, 3000).Select(i => 1_700_000_000_000_000_000 + (i * 10_000_000_000L) + rng.Next(-5, 5))],
        "alternating" => [.. Enumerable.Range(0, 300).Select(i => i % 2 == 0 ? long.MinValue : long.MaxValue)],
        // Evenly spaced times (miniblocks of bit width 0), then a second series starting over: a tag-sorted page.
        "even" => [.. Enumerable.Range(0, 3000).Select(i => 1_451_606_400_000_000_000 + ((i < 2000 ? i : i - 2000) * 10_000_000_000L))],
        // Equal deltas whose running sum wraps around 64 bits several times (bit width 0, yet not monotonic).
        "wrapping" => [.. Enumerable.Range(0, 300).Select(i => unchecked(((long)i * (3L << 60)) + 5))],
        _ => [.. Enumerable.Repeat(-42L, 500)],
    };

    private static long[] Sequence(Random rng, int count, long spread)
    {
        var values = new long[count];
        var value = rng.NextInt64();
        for (var i = 0; i < count; i++)
        {
            value = unchecked(value + rng.NextInt64(-spread, spread));
            values[i] = value;
        }
        return values;
    }

    [Theory]
    [MemberData(nameof(Int64Cases))]
    public void Int64_round_trips(string name)
    {
        var values = Int64Values(name, new Random(name.Length * 31));
        var encoded = Encode(values);
        Assert.Equal(values.Length, DeltaBinaryPacked.ReadTotalCount(encoded));
        Assert.Equal(values, DecodeInt64(encoded, out var consumed));
        Assert.Equal(encoded.Length, consumed);
        // Whatever follows (the bytes of DELTA_LENGTH_BYTE_ARRAY) is not consumed.
        byte[] followed = [.. encoded, 0xAB, 0xCD];
        Assert.Equal(values, DecodeInt64(followed, out consumed));
        Assert.Equal(encoded.Length, consumed);
    }

    [Theory]
    [MemberData(nameof(Int64Cases))]
    public void The_first_values_decode_without_the_rest(string name)
    {
        var values = Int64Values(name, new Random(name.Length * 37));
        var encoded = Encode(values);
        var rng = new Random(values.Length);
        foreach (var count in new[] { 0, values.Length, rng.Next(values.Length + 1), rng.Next(values.Length + 1) })
        {
            var longs = new long[count];
            DeltaBinaryPacked.DecodeFirst(encoded, longs);
            Assert.Equal(values[..count], longs);
        }
        var error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.DecodeFirst(encoded, new long[values.Length + 1]));
        Assert.Contains($"announces {values.Length} values, {values.Length + 1} are wanted", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Int64Cases))]
    public void A_window_decodes_the_same_values_as_the_whole_page(string name)
    {
        var values = Int64Values(name, new Random(name.Length * 41));
        var encoded = Encode(values);
        var ints = Array.ConvertAll(values, v => (int)v);
        var encodedInts = Encode(ints);
        var rng = new Random(values.Length + 1);
        var windows = new List<(int Skip, int Count)> { (0, values.Length), (values.Length, 0) };
        if (values.Length > 0)
        {
            windows.Add((1, values.Length - 1));
            windows.Add((values.Length - 1, 1));
        }
        for (var i = 0; i < 20; i++)
        {
            // Boundaries of miniblocks (32 values) and blocks (128) and everything between.
            var skip = rng.Next(values.Length + 1);
            skip = i % 4 == 0 ? skip / 32 * 32 : i % 4 == 1 ? Math.Max(0, skip / 128 * 128 - 1) : skip;
            windows.Add((skip, rng.Next(values.Length - skip + 1)));
        }
        // Every window also from the pages' block indexes (a window deep in a cached page starts at its block).
        var index = DeltaBinaryPacked.Index(encoded);
        var intIndex = DeltaBinaryPacked.Index(encodedInts);
        Assert.NotNull(index);
        Assert.NotNull(intIndex);
        foreach (var (skip, count) in windows)
        {
            var longs = new long[count];
            DeltaBinaryPacked.DecodeRange(encoded, skip, longs);
            Assert.Equal(values.AsSpan(skip, count).ToArray(), longs);
            var narrow = new int[count];
            DeltaBinaryPacked.DecodeRange(encodedInts, skip, narrow);
            Assert.Equal(ints.AsSpan(skip, count).ToArray(), narrow);
            longs.AsSpan().Clear();
            DeltaBinaryPacked.DecodeRange(encoded, skip, longs, index);
            Assert.Equal(values.AsSpan(skip, count).ToArray(), longs);
            narrow.AsSpan().Clear();
            DeltaBinaryPacked.DecodeRange(encodedInts, skip, narrow, intIndex);
            Assert.Equal(ints.AsSpan(skip, count).ToArray(), narrow);
        }
        if (values.Length > 3)
        {
            Assert.Throws<ArgumentException>(() => DeltaBinaryPacked.DecodeRange(encoded, values.Length - 1, new long[1], DeltaBinaryPacked.Index(Encode(new long[] { 1, 2, 3 }))));
        }
        var error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.DecodeRange(encoded, 1, new long[values.Length]));
        Assert.Contains($"announces {values.Length} values, {values.Length} are wanted after 1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The values of a window that lie in a range, found without decoding evenly stepped miniblocks value by value,
    /// are those a whole decode finds: ranges around the data, inside it, empty, reversed and at the 64-bit ends.
    /// </summary>
    [Theory]
    [MemberData(nameof(Int64Cases))]
    public void A_range_selects_the_window_positions_a_whole_decode_would(string name)
    {
        var values = Int64Values(name, new Random(name.Length * 43));
        var encoded = Encode(values);
        var index = DeltaBinaryPacked.Index(encoded);
        var rng = new Random(values.Length + 2);
        var sorted = values.Order().ToArray();
        long Pick() => sorted.Length == 0 ? rng.NextInt64() : rng.Next(5) switch
        {
            0 => long.MinValue,
            1 => long.MaxValue,
            2 => rng.NextInt64(),
            3 => unchecked(sorted[rng.Next(sorted.Length)] + rng.Next(-2, 3)),
            _ => sorted[rng.Next(sorted.Length)],
        };
        for (var i = 0; i < 40; i++)
        {
            var skip = rng.Next(values.Length + 1);
            skip = i % 4 == 0 ? skip / 32 * 32 : i % 4 == 1 ? Math.Max(0, skip / 128 * 128 - 1) : skip;
            var count = i == 0 ? values.Length - skip : rng.Next(values.Length - skip + 1);
            var (min, max) = (Pick(), Pick());
            if (i % 3 != 0 && min > max)
            {
                (min, max) = (max, min);
            }
            var expected = RunsInRange(values, skip, count, min, max);
            var runs = new List<(int Start, int End)>();
            DeltaBinaryPacked.SelectInRange(encoded, skip, count, min, max, runs);
            Assert.True(expected.SequenceEqual(runs.Select(r => (r.Start, r.End))), $"{name}: skip {skip}, count {count}, [{min}, {max}]: [{string.Join(", ", runs)}] instead of [{string.Join(", ", expected)}]");
            runs.Clear();
            DeltaBinaryPacked.SelectInRange(encoded, skip, count, min, max, runs, index);
            Assert.True(expected.SequenceEqual(runs.Select(r => (r.Start, r.End))), $"{name} through the block index: skip {skip}, count {count}, [{min}, {max}]: [{string.Join(", ", runs)}] instead of [{string.Join(", ", expected)}]");
        }
        // Ranges ending exactly on values at block edges (a block wholly in or out of the range is decided from the
        // index's values before and after it).
        foreach (var p in BlockEdges.Where(p => p < values.Length))
        {
            foreach (var (min, max) in new[] { (values[p], values[p]), (values[p], long.MaxValue), (long.MinValue, values[p]), (unchecked(values[p] + 1), long.MaxValue), (long.MinValue, unchecked(values[p] - 1)) })
            {
                foreach (var skip in new[] { 0, Math.Min(300, values.Length) })
                {
                    var count = values.Length - skip;
                    var expected = RunsInRange(values, skip, count, min, max);
                    var runs = new List<(int Start, int End)>();
                    DeltaBinaryPacked.SelectInRange(encoded, skip, count, min, max, runs, index);
                    Assert.True(expected.SequenceEqual(runs.Select(r => (r.Start, r.End))), $"{name} at a block edge through the index: skip {skip}, [{min}, {max}]: [{string.Join(", ", runs)}] instead of [{string.Join(", ", expected)}]");
                }
            }
        }
        var error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.SelectInRange(encoded, 1, values.Length, long.MinValue, long.MaxValue, []));
        Assert.Contains($"announces {values.Length} values, {values.Length} are wanted after 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_in_miniblocks_of_128_values_from_another_writer_decodes()
    {
        // Blocks of 256 values in 2 miniblocks of 128 at bit width 8 (a layout this writer never makes; other writers
        // may): the decoder unpacks a miniblock in chunks, and a window may start several chunks in.
        var rng = new Random(7);
        var values = new long[1 + 512];
        values[0] = 1000;
        var deltas = new long[512];
        for (var i = 0; i < deltas.Length; i++)
        {
            deltas[i] = rng.Next(0, 200) - 50;
            values[i + 1] = values[i] + deltas[i];
        }
        var bytes = new List<byte>();
        void VarUInt(ulong v)
        {
            for (; v >= 0x80; v >>= 7)
            {
                bytes.Add((byte)(v | 0x80));
            }
            bytes.Add((byte)v);
        }
        void ZigZag(long v) => VarUInt((ulong)((v << 1) ^ (v >> 63)));
        VarUInt(256);
        VarUInt(2);
        VarUInt((ulong)values.Length);
        ZigZag(values[0]);
        for (var block = 0; block < 2; block++)
        {
            var part = deltas.AsSpan(block * 256, 256);
            var min = long.MaxValue;
            foreach (var d in part)
            {
                min = Math.Min(min, d);
            }
            ZigZag(min);
            bytes.Add(8);
            bytes.Add(8);
            foreach (var d in part)
            {
                bytes.Add((byte)(d - min));   // bit width 8: one byte a value
            }
        }
        var encoded = bytes.ToArray();
        var all = new long[values.Length];
        DeltaBinaryPacked.Decode(encoded, all);
        Assert.Equal(values, all);
        foreach (var (skip, count) in new[] { (0, 513), (1, 512), (70, 10), (129, 200), (200, 313), (300, 100), (512, 1), (257, 0) })
        {
            var window = new long[count];
            DeltaBinaryPacked.DecodeRange(encoded, skip, window);
            Assert.Equal(values.AsSpan(skip, count).ToArray(), window);
        }
    }

    public static TheoryData<int> Int32Seeds() => [.. Enumerable.Range(0, 8)];

    [Theory]
    [MemberData(nameof(Int32Seeds))]
    public void Int32_round_trips_with_wrapping_deltas(int seed)
    {
        var rng = new Random(seed);
        var count = seed switch { 0 => 0, 1 => 1, 2 => 32, 3 => 128, 4 => 129, _ => rng.Next(1, 3000) };
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (seed % 3) switch
            {
                0 => rng.Next(2) == 0 ? int.MinValue : int.MaxValue,
                1 => rng.Next(int.MinValue, int.MaxValue),
                _ => rng.Next(0, 100),
            };
        }
        var encoded = Encode(values);
        Assert.Equal(values, DecodeInt32(encoded, out var consumed));
        Assert.Equal(encoded.Length, consumed);
    }

    [Fact]
    public void Int64_deltas_can_need_all_64_bits()
    {
        long[] values = [0, long.MaxValue, long.MinValue, long.MaxValue];
        var encoded = Encode(values);
        // Deltas wrap to MaxValue, 1, -1: min delta -1 (one zigzag byte after the 5-byte header), then width 64.
        Assert.Equal(64, encoded[6]);
        Assert.Equal(values, DecodeInt64(encoded, out _));
    }

    [Fact]
    public void Int32_decoder_keeps_the_low_32_bits_of_wider_miniblocks()
    {
        // Written as INT64: deltas of ±(2^32 - 1) need 33 bits; INT32 decoding wraps to the same values.
        long[] wide = [int.MaxValue, int.MinValue, int.MaxValue, 5, int.MinValue];
        var encoded = Encode(wide);
        Assert.Contains(encoded, b => b == 33);
        int[] expected = [int.MaxValue, int.MinValue, int.MaxValue, 5, int.MinValue];
        Assert.Equal(expected, DecodeInt32(encoded, out _));
    }

    [Fact]
    public void Widths_of_unused_miniblocks_are_ignored()
    {
        var encoded = Encode([1L, 2, 3, 10, 20]); // one miniblock used of four
        encoded[7] = 0xFF;
        encoded[8] = 65;
        encoded[9] = 64;
        long[] expected = [1, 2, 3, 10, 20];
        Assert.Equal(expected, DecodeInt64(encoded, out var consumed));
        Assert.Equal(encoded.Length, consumed);
    }

    [Fact]
    public void Errors_say_what_and_where()
    {
        var encoded = Encode([1L, 2, 3, 10, 20]);
        var error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode(encoded, new long[4]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 0: the data holds 5 values but the page has room for 4", error.Message);

        byte[] badWidth = [.. encoded];
        badWidth[6] = 65;
        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode(badWidth, new long[5]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 6: miniblock bit width 65 exceeds 64", error.Message);

        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode(encoded.AsSpan(0, encoded.Length - 1), new long[5]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 10: input ends inside a miniblock (needs 16 bytes, 15 remain)", error.Message);

        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.ReadTotalCount([0x00, 0x01, 0x01, 0x00]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 0: block size 0 is not a positive multiple of 8", error.Message);

        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.ReadTotalCount([0x80, 0x01, 0x03, 0x01, 0x00]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 2: 3 miniblocks do not split a block of 128 into multiples of 8 values", error.Message);

        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.ReadTotalCount([0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 3: the total value count 2147483648 exceeds 2147483647", error.Message);

        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.ReadTotalCount([0x80, 0x01]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 2: input ends inside the varint of the miniblock count", error.Message);

        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode(Encode([1L << 40]), new int[1]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 0: first value 1099511627776 does not fit in INT32", error.Message);

        error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode([0x80, 0x01, 0x04, 0x02, 0x00, 0x02, 0x00], new long[2]));
        Assert.Equal("DELTA_BINARY_PACKED at byte 6: input ends inside the miniblock bit widths (needs 4 bytes, 1 remain)", error.Message);
    }
}
