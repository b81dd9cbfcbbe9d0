using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class RleBitPackedHybridTests
{
    private static byte[] Encode(ReadOnlySpan<int> values, int bitWidth)
    {
        using var buffer = new ByteBuffer();
        RleBitPackedHybrid.Encode(values, bitWidth, buffer);
        return buffer.ToArray();
    }

    private static int[] Decode(byte[] encoded, int bitWidth, int count)
    {
        var output = new Guarded<int>(count, int.MinValue + 7);
        RleBitPackedHybrid.Decode(encoded, bitWidth, output.Span);
        output.AssertGuardsIntact();
        return output.Span.ToArray();
    }

    [Fact]
    public void Spec_example_0_to_7_at_3_bits_is_one_bit_packed_group()
    {
        int[] values = [0, 1, 2, 3, 4, 5, 6, 7];
        var encoded = Encode(values, 3);
        Assert.Equal(new byte[] { 0x03, 0x88, 0xC6, 0xFA }, encoded);
        Assert.Equal(values, Decode(encoded, 3, 8));
    }

    [Fact]
    public void Repeats_become_one_RLE_run()
    {
        var values = Enumerable.Repeat(1, 1000).ToArray();
        var encoded = Encode(values, 1);
        Assert.Equal(new byte[] { 0xD0, 0x0F, 0x01 }, encoded); // varint(1000 << 1), value in one byte
        Assert.Equal(values, Decode(encoded, 1, 1000));
    }

    [Fact]
    public void Literals_before_a_repeat_borrow_from_it_to_fill_their_group()
    {
        // 3 distinct values then 20 sevens: the first group takes 5 sevens, the other 15 are an RLE run.
        int[] values = [1, 2, 3, .. Enumerable.Repeat(7, 20)];
        var encoded = Encode(values, 3);
        Assert.Equal(new byte[] { 0x03, 0xD1, 0xFE, 0xFF, 0x1E, 0x07 }, encoded);
        Assert.Equal(values, Decode(encoded, 3, values.Length));
    }

    [Fact]
    public void Wide_RLE_values_take_whole_bytes_little_endian()
    {
        int[] encodedRun = [0x0A, 0x56, 0x34, 0x12]; // 5 × 0x123456 at 21 bits
        var bytes = Array.ConvertAll(encodedRun, b => (byte)b);
        Assert.Equal(Enumerable.Repeat(0x123456, 5).ToArray(), Decode(bytes, 21, 5));
        Assert.Equal(Enumerable.Repeat(-1, 9).ToArray(), Decode([0x12, 0xFF, 0xFF, 0xFF, 0xFF], 32, 9));
    }

    [Fact]
    public void Bit_width_zero_encodes_and_decodes_zeros()
    {
        Assert.Empty(Encode([], 0));
        var zeros = new int[100];
        var encoded = Encode(zeros, 0);
        Assert.Equal(new byte[] { 0xC8, 0x01 }, encoded);
        Assert.Equal(zeros, Decode(encoded, 0, 100));
        Assert.Equal(new int[5], Decode([0x03], 0, 5)); // one bit-packed group of zero-width values
    }

    [Fact]
    public void Decoding_stops_at_the_output_length()
    {
        // A run longer than the page, padding in the last group and trailing bytes are all fine.
        Assert.Equal(Enumerable.Repeat(1, 10).ToArray(), Decode([0xD0, 0x0F, 0x01, 0x55], 1, 10));
        int[] firstThree = [0, 1, 2];
        Assert.Equal(firstThree, Decode([0x03, 0x88, 0xC6, 0xFA, 0x99], 3, 3));
        // The bytes of the last group may stop once the values needed are there (parquet-mr and Arrow accept it).
        int[] firstFive = [0, 1, 2, 3, 4];
        Assert.Equal(firstFive, Decode([0x03, 0x88, 0xC6], 3, 5));
        Assert.Empty(Decode([], 5, 0));
    }

    [Fact]
    public void Errors_say_what_and_where()
    {
        var error = Assert.Throws<ParquetFormatException>(() => Decode([0x03, 0x88, 0xC6, 0xFA], 3, 9));
        Assert.Equal("RLE at byte 4: input ends after 8 of 9 values", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => Decode([0x03, 0x88], 3, 8));
        Assert.Equal("RLE at byte 1: input ends inside a bit-packed run (needs 3 bytes, 1 remain)", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => Decode([0x10, 0x09], 3, 8));
        Assert.Equal("RLE at byte 1: RLE run value 9 does not fit in 3 bits", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => Decode([0x10, 0x34], 12, 8));
        Assert.Equal("RLE at byte 1: input ends inside the value of an RLE run (needs 2 bytes, 1 remain)", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => Decode([0x10], 33, 8));
        Assert.Equal("RLE at byte 0: bit width 33 is outside 0..32", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => Decode([0x80, 0x80], 1, 8));
        Assert.Equal("RLE at byte 0: input ends inside the varint of a run header", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => Decode([0xFF, 0xFF, 0xFF, 0xFF, 0x7F], 1, 8));
        Assert.Equal("RLE at byte 0: run header 34359738367 exceeds 32 bits", error.Message);
    }

    [Fact]
    public void Encoder_refuses_values_wider_than_the_bit_width()
    {
        using var buffer = new ByteBuffer();
        Assert.Throws<ArgumentOutOfRangeException>(() => RleBitPackedHybrid.Encode([1, 8], 3, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => RleBitPackedHybrid.Encode([-1], 31, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => RleBitPackedHybrid.Encode([1], 0, buffer));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(7, 3)]
    [InlineData(8, 4)]
    [InlineData(255, 8)]
    [InlineData(256, 9)]
    [InlineData(int.MaxValue, 31)]
    public void MaxBitWidth_is_the_bits_of_the_largest_value(int maxValue, int expected) =>
        Assert.Equal(expected, RleBitPackedHybrid.MaxBitWidth(maxValue));

    public static TheoryData<int> Widths() => [.. Enumerable.Range(0, 33)];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Random_runs_and_noise_round_trip(int bitWidth)
    {
        var rng = new Random(1000 + bitWidth);
        foreach (var count in new[] { 0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1000, 5000 })
        {
            var values = RandomLevels(rng, count, bitWidth);
            var encoded = Encode(values, bitWidth);
            Assert.Equal(values, Decode(encoded, bitWidth, count));
            // A prefix of the values decodes from the same bytes.
            var half = count / 2;
            Assert.Equal(values[..half], Decode(encoded, bitWidth, half));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Values_after_a_skip_are_the_same_as_from_a_whole_decode(int bitWidth)
    {
        var rng = new Random(2000 + bitWidth);
        foreach (var count in new[] { 1, 8, 9, 64, 1000, 5000 })
        {
            var values = RandomLevels(rng, count, bitWidth);
            var encoded = Encode(values, bitWidth);
            for (var trial = 0; trial < 40; trial++)
            {
                var skip = rng.Next(count);
                var length = rng.Next(count - skip + 1);
                var output = new Guarded<int>(length, int.MinValue + 7);
                RleBitPackedHybrid.Decode(encoded, bitWidth, output.Span, skip);
                output.AssertGuardsIntact();
                Assert.Equal(values[skip..(skip + length)], output.Span.ToArray());
            }
        }
    }

    /// <summary>
    /// Runs cover exactly the values a decode gives after the same skip: in order, no gaps, each one value, no two
    /// neighbours equal (they would have joined), and a repeated run longer than a scratch buffer comes whole.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Runs_are_the_decoded_values_joined(int bitWidth)
    {
        var rng = new Random(3000 + bitWidth);
        foreach (var count in new[] { 1, 8, 9, 64, 1000, 5000 })
        {
            var values = RandomLevels(rng, count, bitWidth);
            var encoded = Encode(values, bitWidth);
            for (var trial = 0; trial < 40; trial++)
            {
                var skip = trial == 0 ? 0 : rng.Next(count);
                var length = trial == 0 ? count : rng.Next(count - skip + 1);
                var runs = new List<(int Start, int Length, int Value)>();
                RleBitPackedHybrid.DecodeRuns(encoded, bitWidth, length, skip, runs);
                var expanded = new List<int>();
                for (var r = 0; r < runs.Count; r++)
                {
                    Assert.Equal(expanded.Count, runs[r].Start);
                    Assert.True(runs[r].Length > 0);
                    Assert.True(r == 0 || runs[r - 1].Value != runs[r].Value, $"runs {r - 1} and {r} hold the same value");
                    expanded.AddRange(Enumerable.Repeat(runs[r].Value, runs[r].Length));
                }
                Assert.Equal(values[skip..(skip + length)], expanded);
            }
        }
        var repeated = Encode(Enumerable.Repeat(1, 100_000).ToArray(), Math.Max(bitWidth, 1));
        var one = new List<(int Start, int Length, int Value)>();
        RleBitPackedHybrid.DecodeRuns(repeated, Math.Max(bitWidth, 1), 99_000, 500, one);
        Assert.Equal([(0, 99_000, 1)], one);
    }

    [Fact]
    public void A_skip_past_the_input_is_an_error()
    {
        // One bit-packed group of 3-bit values 0..7: skipping 8 leaves nothing to decode, and two groups' worth of
        // skip runs past the bytes.
        var error = Assert.Throws<ParquetFormatException>(() => RleBitPackedHybrid.Decode([0x03, 0x88, 0xC6, 0xFA], 3, new int[1], 8));
        Assert.Equal("RLE at byte 4: input ends after 0 of 1 values (after 8 skipped)", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => RleBitPackedHybrid.Decode([0x05, 0x88, 0xC6, 0xFA], 3, new int[1], 8));
        Assert.Equal("RLE at byte 4: input ends inside a bit-packed run (needs 1 bytes, 0 remain)", error.Message);
    }

    internal static int[] RandomLevels(Random rng, int count, int bitWidth)
    {
        var max = bitWidth == 32 ? -1L : (1L << bitWidth) - 1;
        int Next() => max == -1 ? rng.Next(int.MinValue, int.MaxValue) : (int)rng.NextInt64(0, max + 1);
        var values = new int[count];
        var i = 0;
        while (i < count)
        {
            var run = rng.Next(3) switch { 0 => rng.Next(1, 4), 1 => rng.Next(5, 12), _ => rng.Next(1, 40) };
            var repeat = rng.Next(2) == 0;
            var value = Next();
            for (var k = 0; k < run && i < count; k++)
            {
                values[i++] = repeat ? value : Next();
            }
        }
        return values;
    }
}
