namespace Tsdb.Prometheus.Tests;

public sealed class XorChunkTests
{
    private static byte[] Encode(params (long T, double V)[] samples)
    {
        var chunk = new XorChunk();
        foreach (var (t, v) in samples)
        {
            chunk.Append(t, v);
        }
        return chunk.ToArray();
    }

    [Fact]
    public void Layout_matches_prometheus_bit_by_bit()
    {
        // Worked by hand from chunkenc/xor.go: count 4 (00 04); t0 = 1000 as a zigzag varint (2000 = D0 0F); 1.0's
        // 64 bits; Δt = 15 as a uvarint (0F); then the bits 0 (same value), 0 (Δ of Δ = 0), 0 (same value),
        // 0 (Δ of Δ = 0), 1 (value changed), 1 (new window), 00001 (1 leading zero), 001011 (11 significant bits),
        // 11111111111 (2.0 XOR 1.0 = 0x7FF << 52), padded to a byte: 0C 25 FF F0.
        var bytes = Encode((1000, 1.0), (1015, 1.0), (1030, 1.0), (1045, 2.0));
        Assert.Equal("0004D00F3FF00000000000000F0C25FFF0", Convert.ToHexString(bytes));
    }

    [Fact]
    public void Reused_window_writes_a_zero_control_bit_and_the_bits_in_it()
    {
        // 2.0 → 3.0: XOR 0x0008000000000000, leading 12, trailing 51: 1 1 01100 000001 1. 3.0 → 2.0: the same XOR
        // fits the window, so 1 0 and the one significant bit: 1 0 1 (the Δ of Δ 0 before it).
        // 00 03 | t0 0 → 00 | 2.0 = 40 00…00 | Δt 10 → 0A | 11011000 00001101 01(000000) = D8 0D 40.
        var bytes = Encode((0, 2.0), (10, 3.0), (20, 2.0));
        Assert.Equal("00030040000000000000000AD80D40", Convert.ToHexString(bytes));
        Assert.Equal([(0L, 2.0), (10L, 3.0), (20L, 2.0)], XorChunkReader.Read(bytes));
    }

    [Fact]
    public void A_stream_ending_on_whole_bytes_keeps_prometheus_empty_last_byte()
    {
        // Prometheus' bstream opens a new byte after every whole byte written on a byte boundary: one sample (varint
        // time, 64 value bits) ends with an empty byte, as Prometheus serves it.
        Assert.Equal("0001D00F3FF000000000000000", Convert.ToHexString(Encode((1000, 1.0))));
        Assert.Equal([(1000L, 1.0)], XorChunkReader.Read(Encode((1000, 1.0))));
    }

    [Theory]
    [InlineData(-8191, 2 + 14)]   // −(2^13 − 1): the smallest 14-bit delta of deltas
    [InlineData(8192, 2 + 14)]    // 2^13: the largest
    [InlineData(8193, 3 + 17)]
    [InlineData(-8192, 3 + 17)]
    [InlineData(65536, 3 + 17)]
    [InlineData(65537, 4 + 20)]
    [InlineData(524288, 4 + 20)]
    [InlineData(524289, 4 + 64)]
    [InlineData(-524288, 4 + 64)]
    public void Delta_of_deltas_take_prometheus_bucket_widths(long dod, int bits)
    {
        // Three samples 1000 ms apart, then one with the given delta of deltas; the value never changes (1 bit).
        var baseline = Encode((0, 1), (1000, 1), (2000, 1));
        var bytes = Encode((0, 1), (1000, 1), (2000, 1), (3000 + dod, 1));
        var baseBits = 16 + 8 + 64 + 16 + 1 + 1 + 1;   // count, t0 (1 byte), v0, Δt 1000 (2 bytes), v, dod 0, v
        Assert.Equal((baseBits + 7) / 8, baseline.Length);
        Assert.Equal((baseBits + bits + 1 + 7) / 8, bytes.Length);
        Assert.Equal(3000 + dod, XorChunkReader.Read(bytes)[3].T);
    }

    [Fact]
    public void Random_series_round_trip_through_an_independent_reader()
    {
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var samples = new List<(long, double)>();
            var t = random.NextInt64(-1L << 40, 1L << 40);
            var count = random.Next(1, XorChunk.MaxSamples + 1);
            for (var i = 0; i < count; i++)
            {
                samples.Add((t, random.Next(6) switch
                {
                    0 => random.NextDouble() * 1e6,
                    1 => Math.Round(random.NextDouble() * 100),
                    2 => double.NaN,
                    3 => BitConverter.UInt64BitsToDouble(0x7FF0000000000002),   // a staleness marker
                    4 => samples.Count > 0 ? samples[^1].Item2 : 0,
                    _ => -random.NextDouble() * double.MaxValue,
                }));
                t += random.Next(4) switch
                {
                    0 => 15_000,
                    1 => random.Next(1, 100_000),
                    2 => random.NextInt64(1, 1L << 35),
                    _ => 15_000 + random.Next(-50, 50),
                };
            }
            var read = XorChunkReader.Read(Encode([.. samples]));
            Assert.Equal(samples.Count, read.Count);
            for (var i = 0; i < samples.Count; i++)
            {
                Assert.Equal(samples[i].Item1, read[i].T);
                Assert.Equal(BitConverter.DoubleToUInt64Bits(samples[i].Item2), BitConverter.DoubleToUInt64Bits(read[i].V));
            }
        }
    }
}
