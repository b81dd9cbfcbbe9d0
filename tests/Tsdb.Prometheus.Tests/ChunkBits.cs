namespace Tsdb.Prometheus.Tests;

/// <summary>
/// A chunk's bits read most significant first, as Prometheus' bstream writes them, for the test-side chunk readers
/// (<see cref="XorChunkReader"/>, <see cref="HistogramChunkReader"/>), written from the chunk format, not from the encoders.
/// </summary>
internal sealed class ChunkBits(byte[] data, int position)
{
    private static readonly int[] Widths = [0, 3, 6, 9, 12, 18, 25, 56, 64];

    private int _position = position;

    public ulong Read(int count)
    {
        ulong value = 0;
        for (var i = 0; i < count; i++)
        {
            var bit = (data[_position >> 3] >> (7 - (_position & 7))) & 1;
            value = (value << 1) | (uint)bit;
            _position++;
        }
        return value;
    }

    public ulong ReadUvarint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = Read(8);
            value |= (b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>The number of leading one bits (at most 8) and the zero after them, if any: which width follows.</summary>
    private int Width()
    {
        var ones = 0;
        while (ones < 8 && Read(1) == 1)
        {
            ones++;
        }
        return Widths[ones];
    }

    public long VarbitInt()
    {
        var width = Width();
        if (width is 0 or 64)
        {
            return width == 0 ? 0 : (long)Read(64);
        }
        var raw = Read(width);
        // Width n holds [−(2^(n−1) − 1), 2^(n−1)]: above 2^(n−1) is negative.
        return raw > 1UL << (width - 1) ? (long)raw - (1L << width) : (long)raw;
    }

    public ulong VarbitUint()
    {
        var width = Width();
        return width == 0 ? 0 : Read(width);
    }
}
