using System.Text;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class DeltaLengthByteArrayTests
{
    private static byte[] Encode(ByteArrays values)
    {
        using var buffer = new ByteBuffer();
        DeltaLengthByteArray.Encode(values.Data, values.Offsets, buffer);
        return buffer.ToArray();
    }

    [Fact]
    public void Spec_example_is_the_delta_lengths_then_the_bytes()
    {
        var encoded = Encode(ByteArrays.Of("Hello", "World", "Foobar", "ABCDEF"));
        byte[] expected = [.. DeltaBinaryPackedTests.Encode([5, 5, 6, 6]), .. "HelloWorldFoobarABCDEF"u8];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Decode_appends_after_what_the_buffer_holds()
    {
        var encoded = Encode(ByteArrays.Of("Hello", "", "World"));
        using var data = new ByteBuffer();
        data.Append("xyz"u8);
        var offsets = new int[4];
        var consumed = DeltaLengthByteArray.Decode([.. encoded, 0x77], 3, offsets, data);
        Assert.Equal(encoded.Length, consumed);
        int[] expected = [3, 8, 8, 13];
        Assert.Equal(expected, offsets);
        Assert.Equal("xyzHelloWorld", Encoding.UTF8.GetString(data.WrittenSpan));
    }

    public static TheoryData<int> Counts() => [0, 1, 2, 8, 31, 32, 33, 128, 129, 600];

    [Theory]
    [MemberData(nameof(Counts))]
    public void Random_values_round_trip(int count)
    {
        var values = ByteArrays.Random(new Random(count), count);
        var encoded = Encode(values);
        using var data = new ByteBuffer();
        var offsets = new Guarded<int>(count + 1, -99);
        Assert.Equal(encoded.Length, DeltaLengthByteArray.Decode(encoded, count, offsets.Span, data));
        offsets.AssertGuardsIntact();
        Assert.Equal(values.Offsets, offsets.Span.ToArray());
        Assert.Equal(values.Data, data.ToArray());
    }

    [Fact]
    public void Zero_values_decode_from_empty_input()
    {
        using var data = new ByteBuffer();
        var offsets = new int[1];
        Assert.Equal(0, DeltaLengthByteArray.Decode([], 0, offsets, data));
        Assert.Equal(0, offsets[0]);
    }

    [Fact]
    public void Errors_say_what_and_where()
    {
        var encoded = Encode(ByteArrays.Of("Hello", "World"));
        using var data = new ByteBuffer();
        var error = Assert.Throws<ParquetFormatException>(() => DeltaLengthByteArray.Decode(encoded, 3, new int[4], data));
        Assert.Equal("DELTA_LENGTH_BYTE_ARRAY at byte 0: the length header announces 2 values, the page has 3", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => DeltaLengthByteArray.Decode(encoded.AsSpan(0, encoded.Length - 1), 2, new int[3], data));
        Assert.Equal("DELTA_LENGTH_BYTE_ARRAY at byte 10: input ends inside the value bytes (needs 10 bytes, 9 remain)", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => DeltaLengthByteArray.Decode(encoded, 2, new int[2], data));
        Assert.Equal("DELTA_LENGTH_BYTE_ARRAY at byte 0: the data holds 2 values but the page has room for 1", error.Message);
        var negative = DeltaBinaryPackedTests.Encode([3, -1]);
        error = Assert.Throws<ParquetFormatException>(() => DeltaLengthByteArray.Decode(negative, 2, new int[3], data));
        Assert.Equal($"DELTA_LENGTH_BYTE_ARRAY at byte {negative.Length}: length -1 of value 1 is negative", error.Message);
        Assert.Equal(0, data.Length);
    }

    [Fact]
    public void Encoder_refuses_bad_offsets()
    {
        using var buffer = new ByteBuffer();
        Assert.Throws<ArgumentException>(() => DeltaLengthByteArray.Encode(new byte[4], [0, 3, 2], buffer));
        Assert.Throws<ArgumentException>(() => DeltaLengthByteArray.Encode(new byte[4], [0, 5], buffer));
        Assert.Throws<ArgumentException>(() => DeltaLengthByteArray.Encode(new byte[4], [], buffer));
    }
}
