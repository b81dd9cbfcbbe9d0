using Tsdb.Core.Compression;

namespace Tsdb.Prometheus.Tests;

/// <summary>The snappy block decoder (remote-write bodies, Parquet pages) against IronSnappy's encoder, and on damaged input.</summary>
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
    [InlineData(new byte[] { 4, 0x08, (byte)'a', (byte)'b', (byte)'c', 0x01, 0x05 }, "refers 5 bytes back")]
    [InlineData(new byte[] { 3, 0x0C, (byte)'a' }, "runs past")]
    [InlineData(new byte[] { 5, 0x04, (byte)'a', (byte)'b' }, "not the announced 5")]
    public void Bad_references_and_lengths_are_named(byte[] block, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Snappy.Decompress(block, new byte[16]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
