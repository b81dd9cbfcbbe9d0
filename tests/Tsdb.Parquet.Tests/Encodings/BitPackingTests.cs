using Tsdb.Parquet.Encodings;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class BitPackingTests
{
    /// <summary>An independent, bit-at-a-time reference for Parquet's LSB-first packing.</summary>
    private static byte[] NaivePack(ReadOnlySpan<ulong> values, int bitWidth)
    {
        var bytes = new byte[values.Length * bitWidth / 8];
        var bit = 0;
        foreach (var value in values)
        {
            for (var b = 0; b < bitWidth; b++, bit++)
            {
                if (((value >> b) & 1) != 0)
                {
                    bytes[bit / 8] |= (byte)(1 << (bit % 8));
                }
            }
        }
        return bytes;
    }

    private static ulong[] RandomValues(Random rng, int count, int bitWidth)
    {
        var values = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            var raw = (ulong)rng.NextInt64() ^ ((ulong)rng.Next(4) << 62);
            values[i] = bitWidth == 64 ? raw : raw & ((1UL << bitWidth) - 1);
        }
        return values;
    }

    [Fact]
    public void Spec_example_0_to_7_at_3_bits()
    {
        uint[] values = [0, 1, 2, 3, 4, 5, 6, 7];
        var packed = new byte[3];
        BitPacking.Pack(values, 3, packed);
        Assert.Equal(new byte[] { 0x88, 0xC6, 0xFA }, packed);
        var unpacked = new uint[8];
        BitPacking.Unpack(packed, 3, unpacked);
        Assert.Equal(values, unpacked);
    }

    public static TheoryData<int> Widths32() => [.. Enumerable.Range(0, 33)];

    public static TheoryData<int> Widths64() => [.. Enumerable.Range(0, 65)];

    [Theory]
    [MemberData(nameof(Widths32))]
    public void Pack_and_Unpack_agree_with_the_reference(int bitWidth)
    {
        var rng = new Random(100 + bitWidth);
        foreach (var count in new[] { 0, 8, 16, 24, 64, 1024 })
        {
            var wide = RandomValues(rng, count, bitWidth);
            var values = Array.ConvertAll(wide, v => (uint)v);
            var expected = NaivePack(wide, bitWidth);
            var packed = new byte[BitPacking.PackedLength(count, bitWidth)];
            BitPacking.Pack(values, bitWidth, packed);
            Assert.Equal(expected, packed);

            // Exactly sized input (last groups through the padded copy) and input with slack (all on the fast path).
            var output = new Guarded<uint>(count, 0xDEADBEEF);
            BitPacking.Unpack(packed, bitWidth, output.Span);
            Assert.Equal(values, output.Span.ToArray());
            output.AssertGuardsIntact();
            var slack = new byte[packed.Length + 16];
            packed.CopyTo(slack, 0);
            BitPacking.Unpack(slack, bitWidth, output.Span);
            Assert.Equal(values, output.Span.ToArray());
            output.AssertGuardsIntact();
        }
    }

    [Theory]
    [MemberData(nameof(Widths64))]
    public void Pack64_and_Unpack64_agree_with_the_reference(int bitWidth)
    {
        var rng = new Random(200 + bitWidth);
        foreach (var count in new[] { 0, 8, 32, 128, 520 })
        {
            var values = RandomValues(rng, count, bitWidth);
            var packed = new byte[BitPacking.PackedLength(count, bitWidth)];
            BitPacking.Pack64(values, bitWidth, packed);
            Assert.Equal(NaivePack(values, bitWidth), packed);
            var output = new Guarded<ulong>(count, 0xDEADBEEFCAFEBABE);
            BitPacking.Unpack64(packed, bitWidth, output.Span);
            Assert.Equal(values, output.Span.ToArray());
            output.AssertGuardsIntact();
            var slack = new byte[packed.Length + 20];
            packed.CopyTo(slack, 0);
            BitPacking.Unpack64(slack, bitWidth, output.Span);
            Assert.Equal(values, output.Span.ToArray());
        }
    }

    [Fact]
    public void Pack_ignores_bits_above_the_width()
    {
        var packed = new byte[1];
        BitPacking.Pack([0xFFFFFFFF, 0, 0, 0, 0, 0, 0, 2], 1, packed);
        Assert.Equal(0x01, packed[0]);
    }

    [Fact]
    public void Unpack_of_a_short_input_is_a_format_error()
    {
        var error = Assert.Throws<ParquetFormatException>(() => BitPacking.Unpack(new byte[5], 3, new uint[16]));
        Assert.Equal("bit-packed data is truncated: 16 values of 3 bits need 6 bytes, 5 present", error.Message);
        Assert.Throws<ParquetFormatException>(() => BitPacking.Unpack64(new byte[63], 64, new ulong[8]));
    }

    [Fact]
    public void Caller_mistakes_are_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => BitPacking.Unpack(new byte[8], 1, new uint[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BitPacking.Unpack(new byte[64], 33, new uint[8]));
        Assert.Throws<ArgumentException>(() => BitPacking.Pack(new uint[8], 4, new byte[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BitPacking.Pack64(new ulong[8], 65, new byte[100]));
    }
}
