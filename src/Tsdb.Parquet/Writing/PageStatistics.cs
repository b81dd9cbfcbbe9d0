using System.Buffers.Binary;
using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Writing;

/// <summary>
/// Min, max and null count of a page or column chunk, kept as PLAIN-encoded bytes (byte arrays without their
/// length), in the column's sort order. NaN never becomes a bound; -0.0/+0.0 follow the spec's rule.
/// </summary>
internal sealed class PageStatistics
{
    public byte[]? Min { get; private set; }

    public byte[]? Max { get; private set; }

    public long NullCount { get; set; }

    public bool MinExact { get; private set; } = true;

    public bool MaxExact { get; private set; } = true;

    public bool HasBounds => Min is not null;

    public void Reset()
    {
        Min = Max = null;
        NullCount = 0;
        MinExact = MaxExact = true;
    }

    public void AddInt64(ReadOnlySpan<long> values, bool unsigned)
    {
        if (values.IsEmpty)
        {
            return;
        }
        if (unsigned)
        {
            ulong min = ulong.MaxValue, max = ulong.MinValue;
            foreach (var v in values)
            {
                var u = unchecked((ulong)v);
                min = Math.Min(min, u);
                max = Math.Max(max, u);
            }
            Merge(Bytes64((long)min), Bytes64((long)max), (a, b) => BinaryPrimitives.ReadUInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(b)));
        }
        else
        {
            long min = long.MaxValue, max = long.MinValue;
            foreach (var v in values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            Merge(Bytes64(min), Bytes64(max), (a, b) => BinaryPrimitives.ReadInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt64LittleEndian(b)));
        }
    }

    public void AddInt32(ReadOnlySpan<int> values, bool unsigned)
    {
        if (values.IsEmpty)
        {
            return;
        }
        if (unsigned)
        {
            uint min = uint.MaxValue, max = uint.MinValue;
            foreach (var v in values)
            {
                var u = unchecked((uint)v);
                min = Math.Min(min, u);
                max = Math.Max(max, u);
            }
            Merge(Bytes32((int)min), Bytes32((int)max), (a, b) => BinaryPrimitives.ReadUInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt32LittleEndian(b)));
        }
        else
        {
            int min = int.MaxValue, max = int.MinValue;
            foreach (var v in values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            Merge(Bytes32(min), Bytes32(max), (a, b) => BinaryPrimitives.ReadInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt32LittleEndian(b)));
        }
    }

    public void AddDouble(ReadOnlySpan<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        var any = false;
        foreach (var v in values)
        {
            if (double.IsNaN(v))
            {
                continue;
            }
            any = true;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (!any)
        {
            return;
        }
        // Statistics.md: a min of +0.0 is written as -0.0 and a max of -0.0 as +0.0, so both zeros are covered.
        if (min == 0)
        {
            min = -0.0;
        }
        if (max == 0)
        {
            max = 0.0;
        }
        Merge(BitConverter.GetBytes(min), BitConverter.GetBytes(max), (a, b) => BitConverter.ToDouble(a).CompareTo(BitConverter.ToDouble(b)));
    }

    public void AddFloat(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        var any = false;
        foreach (var v in values)
        {
            if (float.IsNaN(v))
            {
                continue;
            }
            any = true;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (!any)
        {
            return;
        }
        if (min == 0)
        {
            min = -0.0f;
        }
        if (max == 0)
        {
            max = 0.0f;
        }
        Merge(BitConverter.GetBytes(min), BitConverter.GetBytes(max), (a, b) => BitConverter.ToSingle(a).CompareTo(BitConverter.ToSingle(b)));
    }

    public void AddBooleans(bool sawFalse, bool sawTrue)
    {
        if (!sawFalse && !sawTrue)
        {
            return;
        }
        Merge([sawFalse ? (byte)0 : (byte)1], [sawTrue ? (byte)1 : (byte)0], (a, b) => a[0].CompareTo(b[0]));
    }

    /// <summary>Byte-array bounds, compared as unsigned bytes, already known for a page.</summary>
    public void AddBytes(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max) =>
        Merge(min.ToArray(), max.ToArray(), (a, b) => a.AsSpan().SequenceCompareTo(b));

    public void Merge(PageStatistics other)
    {
        NullCount += other.NullCount;
        if (other.Min is not null)
        {
            // Both sides belong to one column and were built by the same Add method, so they compare alike.
            Merge(other.Min, other.Max!, _compare ?? other._compare!);
            MinExact &= other.MinExact;
            MaxExact &= other.MaxExact;
        }
    }

    private Func<byte[], byte[], int>? _compare;

    private void Merge(byte[] min, byte[] max, Func<byte[], byte[], int> compare)
    {
        _compare ??= compare;
        if (Min is null || compare(min, Min) < 0)
        {
            Min = min;
        }
        if (Max is null || compare(max, Max) > 0)
        {
            Max = max;
        }
    }

    /// <summary>The Thrift Statistics, byte-array bounds cut to <paramref name="truncate"/> bytes.</summary>
    public Statistics ToThrift(bool isByteArray, int truncate)
    {
        var statistics = new Statistics { NullCount = NullCount };
        if (Min is not null)
        {
            var (min, minExact) = isByteArray ? TruncateMin(Min, truncate) : (Min, true);
            var (max, maxExact) = isByteArray ? TruncateMax(Max!, truncate) : (Max!, true);
            statistics.MinValue = min;
            statistics.MaxValue = max;
            statistics.IsMinValueExact = minExact && MinExact;
            statistics.IsMaxValueExact = maxExact && MaxExact;
        }
        return statistics;
    }

    /// <summary>A prefix is never greater than the value, so a cut minimum stays a lower bound.</summary>
    public static (byte[] Value, bool Exact) TruncateMin(byte[] value, int length) =>
        value.Length <= length ? (value, true) : (value[..length], false);

    /// <summary>
    /// A cut maximum must stay an upper bound: cut, then increment the last byte that is not 0xFF (dropping the
    /// 0xFF bytes after it). When every byte is 0xFF no shorter bound exists and the value is kept whole.
    /// </summary>
    public static (byte[] Value, bool Exact) TruncateMax(byte[] value, int length)
    {
        if (value.Length <= length)
        {
            return (value, true);
        }
        for (var i = length - 1; i >= 0; i--)
        {
            if (value[i] != 0xFF)
            {
                var cut = value[..(i + 1)];
                cut[i]++;
                return (cut, false);
            }
        }
        return (value, true);
    }

    private static byte[] Bytes64(long v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return b;
    }

    private static byte[] Bytes32(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        return b;
    }
}
