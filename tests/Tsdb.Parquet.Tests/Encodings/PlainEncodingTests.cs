using System.Buffers.Binary;
using System.Text;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class PlainEncodingTests
{
    [Fact]
    public void Booleans_are_bit_packed_lsb_first()
    {
        using var buffer = new ByteBuffer();
        bool[] values = [true, false, true, true, false, false, false, false, true];
        PlainEncoding.EncodeBooleans(values, buffer);
        Assert.Equal(new byte[] { 0x0D, 0x01 }, buffer.ToArray());

        var bits = new Guarded<byte>(2, 0xFF);
        Assert.Equal(2, PlainEncoding.DecodeBooleans([0x0D, 0xFF, 0x42], 9, bits.Span));
        bits.AssertGuardsIntact();
        Assert.Equal(new byte[] { 0x0D, 0x01 }, bits.Span.ToArray()); // bits past the count are cleared
    }

    public static TheoryData<int, int> BitmapSlices() => new()
    {
        { 0, 0 }, { 0, 1 }, { 0, 8 }, { 0, 77 }, { 3, 1 }, { 3, 13 }, { 7, 64 }, { 13, 50 }, { 5, 123 },
    };

    [Theory]
    [MemberData(nameof(BitmapSlices))]
    public void Booleans_from_an_Arrow_bitmap_slice(int bitOffset, int count)
    {
        var rng = new Random((bitOffset * 1000) + count);
        var bitmap = new byte[((bitOffset + count) + 7) / 8];
        rng.NextBytes(bitmap);
        var expected = new bool[count];
        for (var i = 0; i < count; i++)
        {
            expected[i] = (bitmap[(bitOffset + i) / 8] & (1 << ((bitOffset + i) % 8))) != 0;
        }
        using var fromBits = new ByteBuffer();
        PlainEncoding.EncodeBooleans(bitmap, bitOffset, count, fromBits);
        using var fromBools = new ByteBuffer();
        PlainEncoding.EncodeBooleans(expected, fromBools);
        Assert.Equal(fromBools.ToArray(), fromBits.ToArray());

        var decoded = new byte[(count + 7) / 8];
        Assert.Equal(decoded.Length, PlainEncoding.DecodeBooleans(fromBits.WrittenSpan, count, decoded));
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(expected[i], (decoded[i / 8] & (1 << (i % 8))) != 0);
        }
    }

    [Fact]
    public void Byte_arrays_are_length_prefixed()
    {
        var values = ByteArrays.Of("ab", "", "€");
        using var buffer = new ByteBuffer();
        PlainEncoding.EncodeByteArrays(values.Data, values.Offsets, buffer);
        byte[] expected = [2, 0, 0, 0, (byte)'a', (byte)'b', 0, 0, 0, 0, 3, 0, 0, 0, 0xE2, 0x82, 0xAC];
        Assert.Equal(expected, buffer.ToArray());

        using var data = new ByteBuffer();
        data.Append("#"u8);
        var offsets = new Guarded<int>(4, -1);
        Assert.Equal(expected.Length, PlainEncoding.DecodeByteArrays([.. expected, 9, 9], 3, offsets.Span, data));
        offsets.AssertGuardsIntact();
        int[] expectedOffsets = [1, 3, 3, 6];
        Assert.Equal(expectedOffsets, offsets.Span.ToArray());
        Assert.Equal("#ab€", Encoding.UTF8.GetString(data.WrittenSpan));
    }

    [Fact]
    public void Random_byte_arrays_round_trip()
    {
        var values = ByteArrays.Random(new Random(42), 500);
        using var buffer = new ByteBuffer();
        PlainEncoding.EncodeByteArrays(values.Data, values.Offsets, buffer);
        using var data = new ByteBuffer();
        var offsets = new int[501];
        Assert.Equal(buffer.Length, PlainEncoding.DecodeByteArrays(buffer.WrittenSpan, 500, offsets, data));
        Assert.Equal(values.Offsets, offsets);
        Assert.Equal(values.Data, data.ToArray());
    }

    [Fact]
    public void Byte_array_errors_say_what_and_where()
    {
        using var data = new ByteBuffer();
        var error = Assert.Throws<ParquetFormatException>(() => PlainEncoding.DecodeByteArrays([1, 0, 0, 0, 7, 5, 0, 0], 2, new int[3], data));
        Assert.Equal("PLAIN at byte 5: input ends inside the length of byte array 1 (needs 4 bytes, 3 remain)", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => PlainEncoding.DecodeByteArrays([9, 0, 0, 0, 1, 2], 1, new int[2], data));
        Assert.Equal("PLAIN at byte 4: input ends inside byte array 0 (needs 9 bytes, 2 remain)", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => PlainEncoding.DecodeByteArrays([0xFF, 0xFF, 0xFF, 0xFF], 1, new int[2], data));
        Assert.Equal("PLAIN at byte 0: length -1 of byte array 0 is negative", error.Message);
        Assert.Equal(0, data.Length);
    }

    [Fact]
    public void Fixed_width_values_are_copied_with_checks()
    {
        byte[] input = [1, 0, 0, 0, 2, 0, 0, 0, 3];
        var output = new int[2];
        Assert.Equal(8, PlainEncoding.DecodeFixed(input, 4, 2, System.Runtime.InteropServices.MemoryMarshal.AsBytes(output.AsSpan())));
        int[] expected = [1, 2];
        Assert.Equal(expected, output);
        var error = Assert.Throws<ParquetFormatException>(() => PlainEncoding.DecodeFixed(input, 4, 3, new byte[12]));
        Assert.Equal("PLAIN at byte 0: input ends inside 3 values of 4 bytes (needs 12 bytes, 9 remain)", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => PlainEncoding.DecodeFixed(input, 4, 2, new byte[7]));
        Assert.Equal("PLAIN at byte 0: the data holds 2 values but the page has room for 1", error.Message);
    }

    private static byte[] Int96(long nanosOfDay, int julianDay)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, nanosOfDay);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), julianDay);
        return bytes;
    }

    [Fact]
    public void Int96_timestamps_become_nanoseconds_since_the_epoch()
    {
        byte[] input =
        [
            .. Int96(0, 2_440_588),
            .. Int96(1, 2_440_589),
            .. Int96(3_600_000_000_000, 2_440_587),
            .. Int96(0, 2_451_545), // 2000-01-01
            .. Int96(86_399_999_999_999, 2_440_587),
        ];
        var output = new Guarded<long>(5, 77);
        Assert.Equal(60, PlainEncoding.DecodeInt96AsNanoseconds(input, 5, output.Span));
        output.AssertGuardsIntact();
        long[] expected = [0, 86_400_000_000_001, -82_800_000_000_000, 946_684_800_000_000_000, -1];
        Assert.Equal(expected, output.Span.ToArray());

        var error = Assert.Throws<ParquetFormatException>(() => PlainEncoding.DecodeInt96AsNanoseconds([.. Int96(0, 2_440_588), .. Int96(5, 0)], 2, new long[2]));
        Assert.Equal("PLAIN at byte 12: INT96 timestamp (Julian day 0, 5 ns) is outside the nanosecond range", error.Message);
        error = Assert.Throws<ParquetFormatException>(() => PlainEncoding.DecodeInt96AsNanoseconds(new byte[23], 2, new long[2]));
        Assert.Equal("PLAIN at byte 0: input ends inside 2 INT96 values (needs 24 bytes, 23 remain)", error.Message);
    }
}
