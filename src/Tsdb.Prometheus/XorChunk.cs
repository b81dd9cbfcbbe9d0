using System.Buffers.Binary;

namespace Tsdb.Prometheus;

/// <summary>
/// Prometheus' XOR chunk encoding (<c>tsdb/chunkenc/xor.go</c>, Gorilla compression), as remote read streams it:
/// a big-endian 16-bit sample count, then a bit stream written most significant bit first. The first sample is its
/// timestamp as a zigzag varint and its value's 64 bits; the second the timestamp delta as a uvarint and the value
/// XORed with the first; later ones the delta of deltas in 1, 2+14, 3+17, 4+20 or 4+64 bits and the XORed value
/// with a leading-zero count (5 bits) and significant-bit count (6 bits) unless the previous window still fits.
/// </summary>
internal sealed class XorChunk
{
    /// <summary>Prometheus cuts head chunks at 120 samples; readers expect chunks of about that size.</summary>
    public const int MaxSamples = 120;

    private readonly BitStream _bits = new(2);   // the sample count comes first
    private long _t;
    private long _tDelta;
    private ulong _v;
    private byte _leading = 0xff;
    private byte _trailing;

    public int Count { get; private set; }

    public long MinTime { get; private set; }

    public long MaxTime => _t;

    public void Append(long t, double v)
    {
        var bits = BitConverter.DoubleToUInt64Bits(v);
        if (Count == 0)
        {
            WriteVarint(t);
            _bits.WriteBits(bits, 64);
            MinTime = t;
        }
        else if (Count == 1)
        {
            var delta = t - _t;
            WriteUvarint((ulong)delta);
            WriteValue(bits);
            _tDelta = delta;
        }
        else
        {
            var delta = t - _t;
            var dod = delta - _tDelta;
            if (dod == 0)
            {
                _bits.WriteBit(false);
            }
            else if (FitsIn(dod, 14))
            {
                _bits.WriteBits(0b10, 2);
                _bits.WriteBits((ulong)dod, 14);
            }
            else if (FitsIn(dod, 17))
            {
                _bits.WriteBits(0b110, 3);
                _bits.WriteBits((ulong)dod, 17);
            }
            else if (FitsIn(dod, 20))
            {
                _bits.WriteBits(0b1110, 4);
                _bits.WriteBits((ulong)dod, 20);
            }
            else
            {
                _bits.WriteBits(0b1111, 4);
                _bits.WriteBits((ulong)dod, 64);
            }
            WriteValue(bits);
            _tDelta = delta;
        }
        _t = t;
        _v = bits;
        Count++;
    }

    /// <summary>
    /// The chunk's bytes (count header filled in), byte for byte as Prometheus' bstream leaves them: the last byte
    /// padded with zero bits, and an empty byte after it when the stream ends on a byte boundary reached by whole
    /// bytes (its writeByte always opens the next byte), e.g. after a single sample's 64 value bits.
    /// </summary>
    public byte[] ToArray()
    {
        var bytes = _bits.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes, checked((ushort)Count));
        return bytes;
    }

    /// <summary>Whether <paramref name="x"/> is in Prometheus' range for an <paramref name="bits"/>-bit delta of deltas: [−(2^(n−1)−1), 2^(n−1)].</summary>
    private static bool FitsIn(long x, int bits) => x >= -((1L << (bits - 1)) - 1) && x <= 1L << (bits - 1);

    private void WriteValue(ulong bits) => _bits.WriteXor(bits, _v, ref _leading, ref _trailing);

    private void WriteVarint(long value) => WriteUvarint((ulong)((value << 1) ^ (value >> 63)));

    private void WriteUvarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bits.WriteBits((value & 0x7f) | 0x80, 8);
            value >>= 7;
        }
        _bits.WriteBits(value, 8);
    }
}
