using System.Buffers.Binary;

namespace Tsdb.Prometheus.Tests;

/// <summary>
/// A reader of Prometheus XOR chunks written for the tests from the layout in Prometheus' chunkenc/xor.go, apart
/// from <see cref="XorChunk"/> (it shares no code with it); the end-to-end tests check it against chunks Prometheus
/// itself encoded.
/// </summary>
internal static class XorChunkReader
{
    public static List<(long T, double V)> Read(byte[] data)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(data);
        var bits = new ChunkBits(data, 16);
        var result = new List<(long, double)>(count);
        long t = 0, delta = 0;
        ulong v = 0;
        int leading = 0, trailing = 0;
        for (var i = 0; i < count; i++)
        {
            if (i == 0)
            {
                var zigzag = bits.ReadUvarint();
                t = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
                v = bits.Read(64);
            }
            else
            {
                if (i == 1)
                {
                    delta = (long)bits.ReadUvarint();
                }
                else
                {
                    var prefix = 0;
                    while (prefix < 4 && bits.Read(1) == 1)
                    {
                        prefix++;
                    }
                    var width = prefix switch { 0 => 0, 1 => 14, 2 => 17, 3 => 20, _ => 64 };
                    long dod = 0;
                    if (width > 0)
                    {
                        var raw = bits.Read(width);
                        // Prometheus' range is [−(2^(n−1) − 1), 2^(n−1)]: only values above 2^(n−1) are negative.
                        dod = width == 64 || raw <= 1UL << (width - 1) ? (long)raw : (long)raw - (1L << width);
                    }
                    delta += dod;
                }
                t += delta;
                if (bits.Read(1) == 1)
                {
                    if (bits.Read(1) == 1)
                    {
                        leading = (int)bits.Read(5);
                        var significant = (int)bits.Read(6);
                        if (significant == 0)
                        {
                            significant = 64;
                        }
                        trailing = 64 - leading - significant;
                    }
                    v ^= bits.Read(64 - leading - trailing) << trailing;
                }
            }
            result.Add((t, BitConverter.UInt64BitsToDouble(v)));
        }
        return result;
    }
}
