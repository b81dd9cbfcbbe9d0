using System.Numerics;
using System.Runtime.InteropServices;
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
        if (unsigned)
        {
            AddIntegers(MemoryMarshal.Cast<long, ulong>(values));
        }
        else
        {
            AddIntegers(values);
        }
    }

    public void AddInt32(ReadOnlySpan<int> values, bool unsigned)
    {
        if (unsigned)
        {
            AddIntegers(MemoryMarshal.Cast<int, uint>(values));
        }
        else
        {
            AddIntegers(values);
        }
    }

    /// <summary>Integer bounds in <typeparamref name="T"/>'s order (the unsigned types give the unsigned sort order).</summary>
    private void AddIntegers<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        if (values.IsEmpty)
        {
            return;
        }
        T min = T.MaxValue, max = T.MinValue;
        foreach (var v in values)
        {
            min = T.Min(min, v);
            max = T.Max(max, v);
        }
        var unsigned = T.IsZero(T.MinValue);
        Merge(LittleEndian(min), LittleEndian(max), (a, b) => T.ReadLittleEndian(a, unsigned).CompareTo(T.ReadLittleEndian(b, unsigned)));
    }

    private static byte[] LittleEndian<T>(T value) where T : IBinaryInteger<T>
    {
        var bytes = new byte[value.GetByteCount()];
        value.WriteLittleEndian(bytes);
        return bytes;
    }

    public void AddDouble(ReadOnlySpan<double> values) => AddFloating(values, BitConverter.GetBytes, b => BitConverter.ToDouble(b));

    public void AddFloat(ReadOnlySpan<float> values) => AddFloating(values, BitConverter.GetBytes, b => BitConverter.ToSingle(b));

    /// <summary>NaN never becomes a bound; per Statistics.md a min of +0 is written -0 and a max of -0 is written +0.</summary>
    private void AddFloating<T>(ReadOnlySpan<T> values, Func<T, byte[]> bytes, Func<byte[], T> read) where T : IFloatingPointIeee754<T>
    {
        T min = T.PositiveInfinity, max = T.NegativeInfinity;
        var any = false;
        foreach (var v in values)
        {
            if (T.IsNaN(v))
            {
                continue;
            }
            any = true;
            min = T.Min(min, v);
            max = T.Max(max, v);
        }
        if (!any)
        {
            return;
        }
        if (T.IsZero(min))
        {
            min = T.NegativeZero;
        }
        if (T.IsZero(max))
        {
            max = T.Zero;
        }
        Merge(bytes(min), bytes(max), (a, b) => read(a).CompareTo(read(b)));
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

    /// <summary>
    /// The Thrift Statistics, byte-array bounds cut to <paramref name="truncate"/> bytes; UTF-8 bounds
    /// (<paramref name="isUtf8"/>) only between characters, so they stay valid strings for readers that decode them.
    /// </summary>
    public Statistics ToThrift(bool isByteArray, bool isUtf8, int truncate)
    {
        var statistics = new Statistics { NullCount = NullCount };
        if (Min is not null)
        {
            var (min, minExact) = !isByteArray ? (Min, true) : isUtf8 ? TruncateUtf8Min(Min, truncate) : TruncateMin(Min, truncate);
            var (max, maxExact) = !isByteArray ? (Max!, true) : isUtf8 ? TruncateUtf8Max(Max!, truncate) : TruncateMax(Max!, truncate);
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

    /// <summary>
    /// A UTF-8 minimum cut at the last character boundary at or before <paramref name="length"/> bytes: a prefix,
    /// so still a lower bound, and never half a character. Bytes that are not UTF-8 are cut as binary.
    /// </summary>
    public static (byte[] Value, bool Exact) TruncateUtf8Min(byte[] value, int length)
    {
        if (value.Length <= length)
        {
            return (value, true);
        }
        if (!System.Text.Unicode.Utf8.IsValid(value))
        {
            return TruncateMin(value, length);
        }
        return (value[..CharacterBoundary(value, length)], false);
    }

    /// <summary>
    /// A UTF-8 maximum cut as <see cref="TruncateUtf8Min"/> cuts, then its last character replaced by the next code
    /// point (as parquet-mr and arrow-rs do): characters compare in code-point order as their UTF-8 bytes do, so the
    /// result is greater than every value with the cut prefix. A character whose successor needs more bytes (or is
    /// past U+10FFFF) is dropped and the one before it incremented instead; when none can be, no shorter bound
    /// exists and the value is kept whole.
    /// </summary>
    public static (byte[] Value, bool Exact) TruncateUtf8Max(byte[] value, int length)
    {
        if (value.Length <= length)
        {
            return (value, true);
        }
        if (!System.Text.Unicode.Utf8.IsValid(value))
        {
            return TruncateMax(value, length);
        }
        var end = CharacterBoundary(value, length);
        while (end > 0)
        {
            var start = end - 1;
            while ((value[start] & 0xC0) == 0x80)
            {
                start--; // back over continuation bytes to the character's first byte
            }
            System.Text.Rune.DecodeFromUtf8(value.AsSpan(start, end - start), out var rune, out _);
            var next = rune.Value + 1;
            if (next == 0xD800)
            {
                next = 0xE000; // surrogates are not characters; the next one after U+D7FF is U+E000 (both 3 bytes)
            }
            if (next <= 0x10FFFF && new System.Text.Rune(next).Utf8SequenceLength == end - start)
            {
                var bound = value[..end];
                new System.Text.Rune(next).EncodeToUtf8(bound.AsSpan(start));
                return (bound, false);
            }
            end = start;
        }
        return (value, true);
    }

    /// <summary>The largest character boundary of valid UTF-8 <paramref name="value"/> at or before <paramref name="length"/>.</summary>
    private static int CharacterBoundary(byte[] value, int length)
    {
        var end = length;
        while (end > 0 && (value[end] & 0xC0) == 0x80)
        {
            end--; // value[end] continues the character that starts before it
        }
        return end;
    }
}
