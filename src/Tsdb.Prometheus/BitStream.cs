using System.Numerics;

namespace Tsdb.Prometheus;

/// <summary>
/// Prometheus' bstream (<c>tsdb/chunkenc/bstream.go</c>) for the chunk encoders: bits written most significant first
/// after a fixed header, the last byte padded with zero bits, and an empty byte after it when the stream ends on a
/// byte boundary reached by whole bytes (bstream's writeByte always opens the next byte), so chunks are byte for
/// byte what Prometheus serves. Also the Gorilla XOR value write and the varbit integers of the histogram chunks.
/// </summary>
internal sealed class BitStream(int headerBytes)
{
    private byte[] _bytes = new byte[Math.Max(64, headerBytes * 2)];
    private int _bitLength = headerBytes * 8;
    private bool _emptyByte;

    public int BitLength => _bitLength;

    /// <summary>The bytes written so far, header included (left zero for the caller to fill).</summary>
    public byte[] ToArray() => _bytes[..(((_bitLength + 7) / 8) + (_emptyByte ? 1 : 0))];

    public void WriteBit(bool bit) => WriteBits(bit ? 1UL : 0UL, 1);

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/>, most significant first.</summary>
    public void WriteBits(ulong value, int count)
    {
        if (count == 0)
        {
            return;
        }
        if (_bitLength + count + 8 > _bytes.Length * 8)
        {
            Array.Resize(ref _bytes, _bytes.Length * 2);
        }
        if (count < 64)
        {
            value &= (1UL << count) - 1;
        }
        _emptyByte = count % 8 == 0 && (_bitLength & 7) == 0;
        while (count > 0)
        {
            var index = _bitLength >> 3;
            var free = 8 - (_bitLength & 7);
            var take = Math.Min(free, count);
            var part = (byte)((value >> (count - take)) & ((1UL << take) - 1));
            _bytes[index] |= (byte)(part << (free - take));
            _bitLength += take;
            count -= take;
        }
    }

    /// <summary>
    /// Gorilla's XOR of a value with the previous one (<c>xorWrite</c>): 0 for the same bits; else 1, then 0 and the
    /// bits inside the previous window of leading and trailing zeros when they fit, or 1, the leading-zero count
    /// (5 bits, at most 31), the significant-bit count (6 bits, 64 written as 0) and the significant bits.
    /// <paramref name="leading"/> 0xff means no window yet.
    /// </summary>
    public void WriteXor(ulong bits, ulong previous, ref byte leading, ref byte trailing)
    {
        var delta = bits ^ previous;
        if (delta == 0)
        {
            WriteBit(false);
            return;
        }
        WriteBit(true);
        var newLeading = (byte)Math.Min(BitOperations.LeadingZeroCount(delta), 31);
        var newTrailing = (byte)BitOperations.TrailingZeroCount(delta);
        if (leading != 0xff && newLeading >= leading && newTrailing >= trailing)
        {
            WriteBit(false);
            WriteBits(delta >> trailing, 64 - leading - trailing);
            return;
        }
        leading = newLeading;
        trailing = newTrailing;
        WriteBit(true);
        WriteBits(newLeading, 5);
        var significant = 64 - newLeading - newTrailing;
        WriteBits((ulong)significant, 6);
        WriteBits(delta >> newTrailing, significant);
    }

    /// <summary>
    /// Prometheus' varbit signed integer (<c>putVarbitInt</c>): 0 as one zero bit, else a prefix of ones and a zero
    /// naming the width (3, 6, 9, 12, 18, 25, 56 bits; eight ones then 64 bits), each width n holding
    /// [−(2^(n−1)−1), 2^(n−1)] in two's complement.
    /// </summary>
    public void WriteVarbitInt(long value)
    {
        if (value == 0)
        {
            WriteBit(false);
            return;
        }
        for (var i = 0; i < VarbitWidths.Length; i++)
        {
            var n = VarbitWidths[i];
            if (value >= -((1L << (n - 1)) - 1) && value <= 1L << (n - 1))
            {
                WriteBits(VarbitPrefix(i), i + 2);
                WriteBits((ulong)value, n);
                return;
            }
        }
        WriteBits(0xff, 8);
        WriteBits((ulong)value, 64);
    }

    /// <summary>Prometheus' <c>putVarbitUint</c>: the same prefixes and widths, width n holding [0, 2^n).</summary>
    public void WriteVarbitUint(ulong value)
    {
        if (value == 0)
        {
            WriteBit(false);
            return;
        }
        for (var i = 0; i < VarbitWidths.Length; i++)
        {
            var n = VarbitWidths[i];
            if (value < 1UL << n)
            {
                WriteBits(VarbitPrefix(i), i + 2);
                WriteBits(value, n);
                return;
            }
        }
        WriteBits(0xff, 8);
        WriteBits(value, 64);
    }

    private static readonly int[] VarbitWidths = [3, 6, 9, 12, 18, 25, 56];

    /// <summary>i + 1 ones then a zero: 0b10, 0b110, … 0b11111110.</summary>
    private static ulong VarbitPrefix(int i) => ((1UL << (i + 1)) - 1) << 1;
}
