using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Tests.Encodings;

/// <summary>Every prefix of a valid encoding: the self-delimiting ones must be refused, the others must not lie.</summary>
public sealed class TruncationTests
{
    public static TheoryData<int> Seeds() => [1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Delta_encodings_refuse_every_strict_prefix(int seed)
    {
        var rng = new Random(seed);
        var longs = new long[rng.Next(1, 400)];
        for (var i = 0; i < longs.Length; i++)
        {
            longs[i] = rng.NextInt64(-1000, 1000) << rng.Next(0, 50);
        }
        var values = ByteArrays.Random(rng, rng.Next(1, 60));
        using var length = new ByteBuffer();
        DeltaLengthByteArray.Encode(values.Data, values.Offsets, length);
        using var incremental = new ByteBuffer();
        DeltaByteArray.Encode(values.Data, values.Offsets, incremental);
        using var plain = new ByteBuffer();
        PlainEncoding.EncodeByteArrays(values.Data, values.Offsets, plain);

        AllPrefixesRefused(DeltaBinaryPackedTests.Encode(longs), input => DeltaBinaryPacked.Decode(input, new long[longs.Length]));
        AllPrefixesRefused(length.ToArray(), input => DeltaLengthByteArray.Decode(input, values.Count, new int[values.Count + 1], new ByteBuffer(64)));
        AllPrefixesRefused(incremental.ToArray(), input => DeltaByteArray.Decode(input, values.Count, new int[values.Count + 1], new ByteBuffer(64)));
        AllPrefixesRefused(plain.ToArray(), input => PlainEncoding.DecodeByteArrays(input, values.Count, new int[values.Count + 1], new ByteBuffer(64)));
    }

    private static void AllPrefixesRefused(byte[] encoded, Func<byte[], int> decode)
    {
        Assert.Equal(encoded.Length, decode(encoded));
        for (var cut = 0; cut < encoded.Length; cut++)
        {
            var prefix = encoded[..cut];
            Assert.Throws<ParquetFormatException>(() => decode(prefix));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Rle_prefixes_either_fail_or_give_the_same_values(int seed)
    {
        var rng = new Random(seed);
        var bitWidth = rng.Next(1, 33);
        var values = RleBitPackedHybridTests.RandomLevels(rng, rng.Next(1, 500), bitWidth);
        using var buffer = new ByteBuffer();
        RleBitPackedHybrid.Encode(values, bitWidth, buffer);
        var encoded = buffer.ToArray();
        for (var cut = 0; cut < encoded.Length; cut++)
        {
            var output = new int[values.Length];
            if (Mutations.DecodesOrRejects(() => RleBitPackedHybrid.Decode(encoded.AsSpan(0, cut), bitWidth, output)))
            {
                Assert.Equal(values, output);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Lz4_prefixes_either_fail_or_come_up_short(int seed)
    {
        var input = Lz4RawTests.Input(seed % 2 == 0 ? "text" : "mixed", new Random(seed));
        using var buffer = new ByteBuffer();
        Lz4Raw.Encode(input, buffer);
        var block = buffer.ToArray();
        var output = new byte[input.Length];
        for (var cut = 0; cut < block.Length; cut++)
        {
            var written = -1;
            if (Mutations.DecodesOrRejects(() => written = Lz4Raw.Decode(block.AsSpan(0, cut), output)))
            {
                Assert.True(written < input.Length, $"a block cut at {cut} of {block.Length} still gave all {input.Length} bytes");
            }
        }
    }
}
