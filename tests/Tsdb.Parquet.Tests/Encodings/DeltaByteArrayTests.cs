using System.Text;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

public sealed class DeltaByteArrayTests
{
    private static byte[] Encode(ByteArrays values)
    {
        using var buffer = new ByteBuffer();
        DeltaByteArray.Encode(values.Data, values.Offsets, buffer);
        return buffer.ToArray();
    }

    private static ByteArrays Decode(byte[] encoded, int count, out int consumed)
    {
        using var data = new ByteBuffer();
        var offsets = new Guarded<int>(count + 1, -99);
        consumed = DeltaByteArray.Decode(encoded, count, offsets.Span, data);
        offsets.AssertGuardsIntact();
        return new ByteArrays(data.ToArray(), offsets.Span.ToArray());
    }

    [Fact]
    public void Spec_example_is_prefix_lengths_suffix_lengths_and_suffixes()
    {
        var values = ByteArrays.Of("axis", "axle", "babble", "babyhood");
        var encoded = Encode(values);
        byte[] expected =
        [
            .. DeltaBinaryPackedTests.Encode([0, 2, 0, 3]),
            .. DeltaBinaryPackedTests.Encode([4, 2, 6, 5]),
            .. "axislebabbleyhood"u8,
        ];
        Assert.Equal(expected, encoded);
        var decoded = Decode(encoded, 4, out var consumed);
        Assert.Equal(encoded.Length, consumed);
        Assert.Equal(values.Offsets, decoded.Offsets);
        Assert.Equal(values.Data, decoded.Data);
    }

    public static TheoryData<int> Counts() => [0, 1, 2, 8, 31, 32, 33, 128, 129, 600];

    [Theory]
    [MemberData(nameof(Counts))]
    public void Random_values_with_shared_prefixes_round_trip(int count)
    {
        var values = ByteArrays.Random(new Random(500 + count), count);
        var encoded = Encode(values);
        var decoded = Decode([.. encoded, 0x01, 0x02], count, out var consumed);
        Assert.Equal(encoded.Length, consumed);
        Assert.Equal(values.Offsets, decoded.Offsets);
        Assert.Equal(values.Data, decoded.Data);
    }

    [Fact]
    public void Long_values_sharing_a_long_prefix()
    {
        var rng = new Random(77);
        var shared = new byte[200_000];
        rng.NextBytes(shared);
        var first = new byte[300_000];
        var second = new byte[250_000];
        rng.NextBytes(first);
        rng.NextBytes(second);
        shared.CopyTo(first, 0);
        shared.CopyTo(second, 0);
        var values = ByteArrays.Of(first, second, [], first);
        var encoded = Encode(values);
        Assert.InRange(encoded.Length, 650_000, 650_400); // the second value stores only its 50,000-byte suffix
        var decoded = Decode(encoded, 4, out var consumed);
        Assert.Equal(encoded.Length, consumed);
        Assert.Equal(values.Offsets, decoded.Offsets);
        Assert.Equal(values.Data, decoded.Data);
    }

    [Fact]
    public void Decode_appends_after_what_the_buffer_holds()
    {
        var encoded = Encode(ByteArrays.Of("apple", "applet", "", "b"));
        using var data = new ByteBuffer();
        data.Append("__"u8);
        var offsets = new int[5];
        DeltaByteArray.Decode(encoded, 4, offsets, data);
        int[] expected = [2, 7, 13, 13, 14];
        Assert.Equal(expected, offsets);
        Assert.Equal("__appleappletb", Encoding.UTF8.GetString(data.WrittenSpan));
    }

    [Fact]
    public void Errors_say_what_and_where()
    {
        using var data = new ByteBuffer();
        byte[] prefixTooLong = [.. DeltaBinaryPackedTests.Encode([0, 4]), .. DeltaBinaryPackedTests.Encode([3, 1]), .. "abcd"u8];
        var error = Assert.Throws<ParquetFormatException>(() => DeltaByteArray.Decode(prefixTooLong, 2, new int[3], data));
        Assert.Equal("DELTA_BYTE_ARRAY at byte 0: prefix length 4 of value 1 is outside 0..3 (the previous value's length)", error.Message);

        byte[] firstHasPrefix = [.. DeltaBinaryPackedTests.Encode([1]), .. DeltaBinaryPackedTests.Encode([1]), .. "a"u8];
        error = Assert.Throws<ParquetFormatException>(() => DeltaByteArray.Decode(firstHasPrefix, 1, new int[2], data));
        Assert.Equal("DELTA_BYTE_ARRAY at byte 0: prefix length 1 of value 0 is outside 0..0 (the previous value's length)", error.Message);

        byte[] suffixCountDiffers = [.. DeltaBinaryPackedTests.Encode([0, 1]), .. DeltaBinaryPackedTests.Encode([1]), .. "a"u8];
        error = Assert.Throws<ParquetFormatException>(() => DeltaByteArray.Decode(suffixCountDiffers, 2, new int[3], data));
        Assert.Equal("DELTA_BYTE_ARRAY at byte 0: the length header announces 1 values, the page has 2", error.Message);
        Assert.Equal(0, data.Length);
    }

    [Fact]
    public void Output_growth_from_shared_prefixes_is_bounded_before_allocating()
    {
        // One 1000-byte value then 100,000 values sharing all of it: 100 MB of output from 10 KB of input.
        var prefixes = new int[100_001];
        var suffixes = new int[100_001];
        prefixes.AsSpan(1).Fill(1000);
        suffixes[0] = 1000;
        byte[] encoded = [.. DeltaBinaryPackedTests.Encode(prefixes), .. DeltaBinaryPackedTests.Encode(suffixes), .. new byte[1000]];
        Assert.True(encoded.Length < 12_000);
        using var data = new ByteBuffer();
        var offsets = new int[100_002];
        var error = Assert.Throws<ParquetFormatException>(() => DeltaByteArray.Decode(encoded, 100_001, offsets, data, maxDataLength: 1 << 20));
        Assert.Equal("DELTA_BYTE_ARRAY at byte 0: the values decode to more than 1048576 bytes", error.Message);
        Assert.Equal(0, data.Length);
    }
}
