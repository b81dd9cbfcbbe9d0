using Tsdb.Core.Compression;

namespace Tsdb.Prometheus.Tests;

/// <summary>
/// Our snappy blocks (remote-write bodies, Parquet pages; Snappier underneath) against IronSnappy, an independent
/// implementation kept here for that: we decode what it encodes and it decodes what we encode; damaged input.
/// </summary>
public sealed class SnappyTests
{
    private static byte[] Sample(int length, int seed, bool repetitive)
    {
        var random = new Random(seed);
        var data = new byte[length];
        if (!repetitive)
        {
            random.NextBytes(data);
            return data;
        }
        // Runs, repeated phrases near and far (1-, 2- and 4-byte copy offsets), and some noise.
        var phrase = "node_cpu_seconds_total instance=host-17:9100 mode=idle "u8.ToArray();
        for (var i = 0; i < length; i++)
        {
            data[i] = (i / 4096 % 3) switch
            {
                0 => phrase[i % phrase.Length],
                1 => (byte)(random.Next(8) == 0 ? random.Next(256) : 'a'),
                _ => (byte)(i < 70_000 ? random.Next(4) : data[i - 70_000]),
            };
        }
        return data;
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(59, true)]
    [InlineData(61, false)]
    [InlineData(300, true)]
    [InlineData(70_000, false)]
    [InlineData(200_000, true)]
    [InlineData(1_100_000, true)]
    public void Decodes_what_IronSnappy_encodes(int length, bool repetitive)
    {
        var data = Sample(length, length, repetitive);
        var compressed = IronSnappy.Snappy.Encode(data);
        Assert.Equal(length, Snappy.GetDecompressedLength(compressed));
        var output = new byte[length + 3];
        Assert.Equal(length, Snappy.Decompress(compressed, output));
        Assert.True(data.AsSpan().SequenceEqual(output.AsSpan(0, length)));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(300, true)]
    [InlineData(70_000, false)]
    [InlineData(1_100_000, true)]
    public void IronSnappy_decodes_what_we_encode(int length, bool repetitive)
    {
        var data = Sample(length, length + 1, repetitive);
        var buffer = new byte[Snappy.GetMaxCompressedLength(length)];
        var written = Snappy.Compress(data, buffer);
        Assert.True(data.AsSpan().SequenceEqual(IronSnappy.Snappy.Decode(buffer.AsSpan(0, written))));
        Assert.True(buffer.AsSpan(0, written).SequenceEqual(Snappy.Compress(data)));
        if (repetitive && length > 1000)
        {
            Assert.True(written < length / 2, $"{length} bytes compressed to {written}");
        }
    }

    [Fact]
    public void A_block_longer_than_its_room_is_refused()
    {
        var compressed = Snappy.Compress(Sample(100, 3, repetitive: true));
        var e = Assert.Throws<InvalidDataException>(() => Snappy.Decompress(compressed, new byte[99]));
        Assert.Equal("snappy: block holds 100 bytes, room for 99", e.Message);
    }

    [Fact]
    public void Damaged_blocks_raise_InvalidDataException_only()
    {
        var data = Sample(50_000, 7, repetitive: true);
        var compressed = IronSnappy.Snappy.Encode(data);
        var random = new Random(11);
        var output = new byte[60_000];
        for (var round = 0; round < 2_000; round++)
        {
            var damaged = (byte[])compressed.Clone();
            if (round % 3 == 0)
            {
                damaged = damaged[..random.Next(1, damaged.Length)];
            }
            else
            {
                for (var i = 0; i < 1 + (round % 5); i++)
                {
                    damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                }
            }
            try
            {
                Snappy.Decompress(damaged, output);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 4, 0x08, (byte)'a', (byte)'b', (byte)'c', 0x01, 0x05 })] // a copy from before the start
    [InlineData(new byte[] { 3, 0x0C, (byte)'a' })] // a literal past the end of the block
    [InlineData(new byte[] { 5, 0x04, (byte)'a', (byte)'b' })] // fewer bytes than announced
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f })] // a length header past 2^32
    public void Bad_references_and_lengths_are_refused(byte[] block) =>
        Assert.Throws<InvalidDataException>(() => Snappy.Decompress(block, new byte[16]));
}
