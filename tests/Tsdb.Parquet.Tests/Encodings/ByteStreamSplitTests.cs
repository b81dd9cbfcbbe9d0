using Tsdb.Parquet.Encodings;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class ByteStreamSplitTests
{
    [Fact]
    public void Spec_example_three_floats()
    {
        byte[] values = [0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6];
        byte[] expected = [0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6];
        var encoded = new byte[12];
        ByteStreamSplit.Encode(values, 4, encoded);
        Assert.Equal(expected, encoded);
        var decoded = new byte[12];
        ByteStreamSplit.Decode(encoded, 4, 3, decoded);
        Assert.Equal(values, decoded);
    }

    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (var width in new[] { 1, 2, 3, 4, 8, 12, 16 })
        {
            foreach (var count in new[] { 0, 1, 7, 100, 1001 })
            {
                data.Add(width, count);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Round_trips_and_matches_the_definition(int width, int count)
    {
        var rng = new Random((width * 7919) + count);
        var values = new byte[width * count];
        rng.NextBytes(values);
        var encoded = new byte[values.Length];
        ByteStreamSplit.Encode(values, width, encoded);
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < width; k++)
            {
                Assert.Equal(values[(i * width) + k], encoded[(k * count) + i]);
            }
        }
        var decoded = new Guarded<byte>(values.Length, 0xEE);
        ByteStreamSplit.Decode(encoded, width, count, decoded.Span);
        decoded.AssertGuardsIntact();
        Assert.Equal(values, decoded.Span.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_range_of_values_decodes_alone(int width, int count)
    {
        var rng = new Random((width * 31) + count);
        var values = new byte[width * count];
        rng.NextBytes(values);
        var encoded = new byte[values.Length];
        ByteStreamSplit.Encode(values, width, encoded);
        for (var trial = 0; trial < 20; trial++)
        {
            var start = rng.Next(count + 1);
            var length = rng.Next(count - start + 1);
            var decoded = new Guarded<byte>(width * length, 0xEE);
            ByteStreamSplit.DecodeRange(encoded, width, count, start, length, decoded.Span);
            decoded.AssertGuardsIntact();
            Assert.Equal(values[(start * width)..((start + length) * width)], decoded.Span.ToArray());
        }
        var error = Assert.Throws<ParquetFormatException>(() => ByteStreamSplit.DecodeRange(encoded, width, count, count, 1, new byte[width]));
        Assert.Contains($"outside the {count} held", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Doubles_survive_bit_exactly()
    {
        double[] doubles = [0.0, -0.0, double.NaN, double.Epsilon, double.MaxValue, -1.5, Math.PI];
        var bytes = new byte[doubles.Length * 8];
        Buffer.BlockCopy(doubles, 0, bytes, 0, bytes.Length);
        var encoded = new byte[bytes.Length];
        ByteStreamSplit.Encode(bytes, 8, encoded);
        var decoded = new double[doubles.Length];
        ByteStreamSplit.Decode(encoded, 8, doubles.Length, System.Runtime.InteropServices.MemoryMarshal.AsBytes(decoded.AsSpan()));
        Assert.Equal(Array.ConvertAll(doubles, BitConverter.DoubleToInt64Bits), Array.ConvertAll(decoded, BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Errors_say_what_and_where()
    {
        var error = Assert.Throws<ParquetFormatException>(() => ByteStreamSplit.Decode(new byte[11], 4, 3, new byte[12]));
        Assert.Equal("BYTE_STREAM_SPLIT at byte 0: 11 bytes are not 3 values of 4 bytes", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => ByteStreamSplit.Decode(new byte[12], 4, 3, new byte[8]));
        Assert.Equal("BYTE_STREAM_SPLIT at byte 0: the data holds 3 values but the page has room for 2", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => ByteStreamSplit.Decode(new byte[12], 0, 3, new byte[12]));
        Assert.Equal("BYTE_STREAM_SPLIT at byte 0: value width 0 is not positive", error.Message);
        Assert.Throws<ArgumentException>(() => ByteStreamSplit.Encode(new byte[7], 4, new byte[8]));
    }
}
