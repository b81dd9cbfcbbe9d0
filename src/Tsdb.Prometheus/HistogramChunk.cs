using System.Buffers.Binary;
using Tsdb.PromQL;

namespace Tsdb.Prometheus;

/// <summary>
/// One of Prometheus' native-histogram chunks as remote read streams them: HISTOGRAM (<c>tsdb/chunkenc/histogram.go</c>)
/// when every count of every sample is a whole number, else FLOAT_HISTOGRAM (<c>float_histogram.go</c>). Layout:
/// a big-endian 16-bit sample count, a header byte whose top two bits are the counter-reset header (unknown 00,
/// not a reset 01, reset 10, gauge 11), then a bit stream: the chunk's bucket layout (zero threshold, schema,
/// positive and negative spans, custom bounds for schema −53) and the samples. The integer encoding writes the first
/// sample raw (varbit time, counts, 64-bit sum, buckets as deltas of the previous bucket) and later ones as deltas of
/// deltas (time, count, zero count, each bucket) with the sum XORed; the float encoding XORs every count instead.
/// Like Prometheus a chunk holds one bucket layout for all its samples (the union of theirs; a sample without a bucket
/// of the layout has it as 0, which is how Prometheus recodes a chunk when buckets appear) and ends where Prometheus
/// cuts one: at <see cref="MaxSamples"/>, a counter reset (count, zero count or a bucket going down, or the reset
/// hint), a schema, zero-threshold or custom-bounds change, a stale sample followed by a live one, or a change between
/// integer and float counts or between counter and gauge histograms. Samples are held until <see cref="ToArray"/>, so
/// the layout is known before the first is written.
/// </summary>
internal sealed class HistogramChunk
{
    public const int MaxSamples = XorChunk.MaxSamples;

    /// <summary>The counter-reset header values (bits 7 and 6 of the third byte).</summary>
    public const byte UnknownCounterReset = 0b0000_0000;
    public const byte CounterReset = 0b1000_0000;
    public const byte NotCounterReset = 0b0100_0000;
    public const byte GaugeType = 0b1100_0000;

    private const ulong StaleBits = (ulong)HistogramColumns.StaleBits;

    private readonly List<(long T, FloatHistogram? H)> _samples = [];   // null: a stale sample
    private readonly SortedSet<int> _positive = [];
    private readonly SortedSet<int> _negative = [];
    private readonly byte _header;
    private FloatHistogram? _last;   // the last live sample, for reset detection
    private bool _lastStale;

    /// <summary>A chunk whose first sample is <paramref name="first"/> (null: stale) with the given header.</summary>
    public HistogramChunk(long t, FloatHistogram? first, byte header)
    {
        IsFloat = first is not null && !IsIntegral(first);
        IsGauge = first is { IsGauge: true };
        _header = IsGauge ? GaugeType : header;
        Add(t, first);
    }

    /// <summary>FLOAT_HISTOGRAM rather than HISTOGRAM.</summary>
    public bool IsFloat { get; }

    public bool IsGauge { get; }

    public int Count => _samples.Count;

    public long MinTime => _samples[0].T;

    public long MaxTime => _samples[^1].T;

    /// <summary>The header of a series' first histogram chunk: the sample's own hint, as Prometheus sets it.</summary>
    public static byte FirstHeader(FloatHistogram? h) => h?.CounterResetHint switch
    {
        HistogramCounterResetHint.CounterReset => CounterReset,
        HistogramCounterResetHint.Gauge => GaugeType,
        _ => UnknownCounterReset,
    };

    /// <summary>Whether the histogram's counts fit Prometheus' integer histogram (whole, non-negative, below 2^53).</summary>
    public static bool IsIntegral(FloatHistogram h)
    {
        if (!Whole(h.Count) || !Whole(h.ZeroCount))
        {
            return false;
        }
        foreach (var c in h.PositiveBuckets)
        {
            if (!Whole(c))
            {
                return false;
            }
        }
        foreach (var c in h.NegativeBuckets)
        {
            if (!Whole(c))
            {
                return false;
            }
        }
        return true;

        static bool Whole(double x) => x >= 0 && x <= 9007199254740992.0 && Math.Floor(x) == x;
    }

    /// <summary>
    /// Appends <paramref name="h"/> (null: a stale sample) when Prometheus would; otherwise returns false and the
    /// header of the chunk the sample starts.
    /// </summary>
    public bool TryAppend(long t, FloatHistogram? h, out byte nextHeader)
    {
        nextHeader = UnknownCounterReset;
        if (h is null)
        {
            // A stale sample always fits (its buckets do not matter), but not past the sample limit.
            if (Count >= MaxSamples)
            {
                return false;
            }
            Add(t, null);
            return true;
        }
        if (h.IsGauge != IsGauge || IsIntegral(h) == IsFloat)
        {
            nextHeader = h.IsGauge ? GaugeType : UnknownCounterReset;
            return false;
        }
        if (IsGauge)
        {
            nextHeader = GaugeType;
            if (_lastStale || !SameLayoutKind(h) || Count >= MaxSamples)
            {
                return false;
            }
            Add(t, h);
            return true;
        }
        if (h.CounterResetHint == HistogramCounterResetHint.CounterReset)
        {
            nextHeader = CounterReset;
            return false;
        }
        if (_lastStale || _last is null)
        {
            return false;
        }
        if (h.Count < _last.Count)
        {
            nextHeader = CounterReset;
            return false;
        }
        if (h.Schema != _last.Schema || h.ZeroThreshold != _last.ZeroThreshold)
        {
            return false;
        }
        if (h.UsesCustomBuckets && !h.CustomValues.SequenceEqual(_last.CustomValues))
        {
            nextHeader = CounterReset;
            return false;
        }
        if (h.ZeroCount < _last.ZeroCount || BucketWentDown(_last.PositiveSpans, _last.PositiveBuckets, h.PositiveSpans, h.PositiveBuckets)
            || BucketWentDown(_last.NegativeSpans, _last.NegativeBuckets, h.NegativeSpans, h.NegativeBuckets))
        {
            nextHeader = CounterReset;
            return false;
        }
        if (Count >= MaxSamples)
        {
            nextHeader = NotCounterReset;
            return false;
        }
        Add(t, h);
        return true;
    }

    private bool SameLayoutKind(FloatHistogram h) =>
        _last is null || (h.Schema == _last.Schema && h.ZeroThreshold == _last.ZeroThreshold && h.CustomValues.SequenceEqual(_last.CustomValues));

    /// <summary>Whether a bucket of <c>a</c> has a lower count in <c>b</c> (a bucket missing from b counting 0).</summary>
    private static bool BucketWentDown(IReadOnlyList<HistogramSpan> aSpans, IReadOnlyList<double> aCounts, IReadOnlyList<HistogramSpan> bSpans, IReadOnlyList<double> bCounts)
    {
        var b = ToMap(bSpans, bCounts);
        var k = 0;
        foreach (var index in Indexes(aSpans))
        {
            if (aCounts[k++] > b.GetValueOrDefault(index))
            {
                return true;
            }
        }
        return false;
    }

    private static Dictionary<int, double> ToMap(IReadOnlyList<HistogramSpan> spans, IReadOnlyList<double> counts)
    {
        var map = new Dictionary<int, double>(counts.Count);
        var k = 0;
        foreach (var index in Indexes(spans))
        {
            map[index] = counts[k++];
        }
        return map;
    }

    private static IEnumerable<int> Indexes(IReadOnlyList<HistogramSpan> spans)
    {
        var index = 0;
        for (var s = 0; s < spans.Count; s++)
        {
            index += spans[s].Offset;
            for (var j = 0; j < spans[s].Length; j++)
            {
                yield return index++;
            }
        }
    }

    private void Add(long t, FloatHistogram? h)
    {
        _samples.Add((t, h));
        _lastStale = h is null;
        if (h is null)
        {
            return;
        }
        _last = h;
        foreach (var index in Indexes(h.PositiveSpans))
        {
            _positive.Add(index);
        }
        foreach (var index in Indexes(h.NegativeSpans))
        {
            _negative.Add(index);
        }
    }

    public byte[] ToArray()
    {
        var bits = new BitStream(3);
        var positiveIndexes = _positive.ToArray();
        var negativeIndexes = _negative.ToArray();
        if (IsFloat)
        {
            WriteFloat(bits, positiveIndexes, negativeIndexes);
        }
        else
        {
            WriteInteger(bits, positiveIndexes, negativeIndexes);
        }
        var bytes = bits.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes, checked((ushort)Count));
        bytes[2] = _header;
        return bytes;
    }

    /// <summary>The layout, written by the first sample: a stale first sample writes an empty one, as Prometheus does.</summary>
    private static void WriteLayout(BitStream bits, FloatHistogram? first, int[] positive, int[] negative)
    {
        if (first is null)
        {
            WriteZeroThreshold(bits, 0);
            bits.WriteVarbitInt(0);
            bits.WriteVarbitUint(0);
            bits.WriteVarbitUint(0);
            return;
        }
        WriteZeroThreshold(bits, first.ZeroThreshold);
        bits.WriteVarbitInt(first.Schema);
        WriteSpans(bits, positive);
        WriteSpans(bits, negative);
        if (first.UsesCustomBuckets)
        {
            bits.WriteVarbitUint((ulong)first.CustomValues.Count);
            foreach (var bound in first.CustomValues)
            {
                WriteCustomBound(bits, bound);
            }
        }
    }

    /// <summary>Spans of consecutive bucket indexes, each as length (varbit uint) then offset (varbit int).</summary>
    private static void WriteSpans(BitStream bits, int[] indexes)
    {
        var spans = new List<(long Offset, ulong Length)>();
        var previousEnd = 0L;
        foreach (var index in indexes)
        {
            if (spans.Count > 0 && index == previousEnd)
            {
                spans[^1] = (spans[^1].Offset, spans[^1].Length + 1);
            }
            else
            {
                spans.Add((spans.Count == 0 ? index : index - previousEnd, 1));
            }
            previousEnd = index + 1L;
        }
        bits.WriteVarbitUint((ulong)spans.Count);
        foreach (var (offset, length) in spans)
        {
            bits.WriteVarbitUint(length);
            bits.WriteVarbitInt(offset);
        }
    }

    /// <summary>
    /// Prometheus' <c>putZeroThreshold</c>: one byte 0 for 0, one byte exponent + 243 for a power of two in
    /// [2^−243, 2^10], else 255 and the 64 bits.
    /// </summary>
    private static void WriteZeroThreshold(BitStream bits, double threshold)
    {
        if (threshold == 0)
        {
            bits.WriteBits(0, 8);
            return;
        }
        // Go's math.Frexp: threshold = frac · 2^exp with frac in [0.5, 1).
        var exp = double.IsFinite(threshold) ? Math.ILogB(threshold) + 1 : int.MaxValue;
        var frac = double.IsFinite(threshold) ? Math.ScaleB(threshold, -exp) : threshold;
        if (frac != 0.5 || exp < -242 || exp > 11)
        {
            bits.WriteBits(255, 8);
            bits.WriteBits(BitConverter.DoubleToUInt64Bits(threshold), 64);
            return;
        }
        bits.WriteBits((ulong)(exp + 243), 8);
    }

    /// <summary>Prometheus' <c>putCustomBound</c>: a multiple of 0.001 in [0, 33554.43] as varbit uint (bound · 1000 + 1), else a 0 bit and the 64 bits.</summary>
    private static void WriteCustomBound(BitStream bits, double bound)
    {
        var scaled = bound * 1000;
        if (scaled < 0 || scaled > 33554430 || (double)(ulong)Math.Round(scaled) / 1000 != bound)
        {
            bits.WriteBit(false);
            bits.WriteBits(BitConverter.DoubleToUInt64Bits(bound), 64);
            return;
        }
        bits.WriteVarbitUint((ulong)Math.Round(scaled) + 1);
    }

    /// <summary>Absolute counts of <paramref name="layout"/>'s buckets in a histogram's spans and counts (0 where it has none).</summary>
    private static double[] Expand(int[] layout, IReadOnlyList<HistogramSpan> spans, IReadOnlyList<double> counts)
    {
        var result = new double[layout.Length];
        var k = 0;
        var position = 0;
        foreach (var index in Indexes(spans))
        {
            while (layout[position] != index)
            {
                position++;
            }
            result[position] = counts[k++];
        }
        return result;
    }

    private void WriteInteger(BitStream bits, int[] positiveLayout, int[] negativeLayout)
    {
        long t = 0, tDelta = 0, count = 0, zeroCount = 0, countDelta = 0, zeroCountDelta = 0;
        ulong sum = 0;
        byte leading = 0xff, trailing = 0;
        var positive = new long[positiveLayout.Length];
        var positiveDelta = new long[positiveLayout.Length];
        var negative = new long[negativeLayout.Length];
        var negativeDelta = new long[negativeLayout.Length];
        for (var i = 0; i < _samples.Count; i++)
        {
            var (sampleT, h) = _samples[i];
            // A stale sample is a histogram of its sum only: no buckets, zero counts.
            var sampleCount = h is null ? 0 : (long)h.Count;
            var sampleZero = h is null ? 0 : (long)h.ZeroCount;
            var sampleSum = h is null ? StaleBits : BitConverter.DoubleToUInt64Bits(h.Sum);
            var pos = h is null ? [] : Deltas(Expand(positiveLayout, h.PositiveSpans, h.PositiveBuckets));
            var neg = h is null ? [] : Deltas(Expand(negativeLayout, h.NegativeSpans, h.NegativeBuckets));
            long newTDelta = 0, newCountDelta = 0, newZeroDelta = 0;
            if (i == 0)
            {
                WriteLayout(bits, h, h is null ? [] : positiveLayout, h is null ? [] : negativeLayout);
                bits.WriteVarbitInt(sampleT);
                bits.WriteVarbitUint((ulong)sampleCount);
                bits.WriteVarbitUint((ulong)sampleZero);
                bits.WriteBits(sampleSum, 64);
                foreach (var b in pos)
                {
                    bits.WriteVarbitInt(b);
                }
                foreach (var b in neg)
                {
                    bits.WriteVarbitInt(b);
                }
            }
            else
            {
                newTDelta = sampleT - t;
                newCountDelta = sampleCount - count;
                newZeroDelta = sampleZero - zeroCount;
                bits.WriteVarbitInt(newTDelta - tDelta);
                bits.WriteVarbitInt(h is null ? 0 : newCountDelta - countDelta);
                bits.WriteVarbitInt(h is null ? 0 : newZeroDelta - zeroCountDelta);
                bits.WriteXor(sampleSum, sum, ref leading, ref trailing);
                for (var b = 0; b < pos.Length; b++)
                {
                    var delta = pos[b] - positive[b];
                    bits.WriteVarbitInt(delta - positiveDelta[b]);
                    positiveDelta[b] = delta;
                }
                for (var b = 0; b < neg.Length; b++)
                {
                    var delta = neg[b] - negative[b];
                    bits.WriteVarbitInt(delta - negativeDelta[b]);
                    negativeDelta[b] = delta;
                }
            }
            t = sampleT;
            count = sampleCount;
            zeroCount = sampleZero;
            tDelta = newTDelta;
            countDelta = newCountDelta;
            zeroCountDelta = newZeroDelta;
            pos.CopyTo(positive, 0);
            neg.CopyTo(negative, 0);
            sum = sampleSum;
        }
    }

    /// <summary>Integer bucket counts as Prometheus' integer histograms hold them: each the delta of the previous bucket.</summary>
    private static long[] Deltas(double[] counts)
    {
        var deltas = new long[counts.Length];
        long previous = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var current = (long)counts[i];
            deltas[i] = current - previous;
            previous = current;
        }
        return deltas;
    }

    private void WriteFloat(BitStream bits, int[] positiveLayout, int[] negativeLayout)
    {
        long t = 0, tDelta = 0;
        var count = new XorState();
        var zeroCount = new XorState();
        var sum = new XorState();
        var positive = new XorState[positiveLayout.Length];
        var negative = new XorState[negativeLayout.Length];
        for (var i = 0; i < _samples.Count; i++)
        {
            var (sampleT, h) = _samples[i];
            var sampleSum = h is null ? StaleBits : BitConverter.DoubleToUInt64Bits(h.Sum);
            var sampleCount = h is null ? 0 : BitConverter.DoubleToUInt64Bits(h.Count);
            var sampleZero = h is null ? 0 : BitConverter.DoubleToUInt64Bits(h.ZeroCount);
            var pos = h is null ? [] : Expand(positiveLayout, h.PositiveSpans, h.PositiveBuckets);
            var neg = h is null ? [] : Expand(negativeLayout, h.NegativeSpans, h.NegativeBuckets);
            long newTDelta = 0;
            if (i == 0)
            {
                WriteLayout(bits, h, h is null ? [] : positiveLayout, h is null ? [] : negativeLayout);
                bits.WriteVarbitInt(sampleT);
                bits.WriteBits(sampleCount, 64);
                bits.WriteBits(sampleZero, 64);
                bits.WriteBits(sampleSum, 64);
                count.Value = sampleCount;
                zeroCount.Value = sampleZero;
                sum.Value = sampleSum;
                for (var b = 0; b < pos.Length; b++)
                {
                    var v = BitConverter.DoubleToUInt64Bits(pos[b]);
                    bits.WriteBits(v, 64);
                    positive[b] = new XorState { Value = v };
                }
                for (var b = 0; b < neg.Length; b++)
                {
                    var v = BitConverter.DoubleToUInt64Bits(neg[b]);
                    bits.WriteBits(v, 64);
                    negative[b] = new XorState { Value = v };
                }
            }
            else
            {
                newTDelta = sampleT - t;
                bits.WriteVarbitInt(newTDelta - tDelta);
                count.Write(bits, sampleCount);
                zeroCount.Write(bits, sampleZero);
                sum.Write(bits, sampleSum);
                for (var b = 0; b < pos.Length; b++)
                {
                    positive[b].Write(bits, BitConverter.DoubleToUInt64Bits(pos[b]));
                }
                for (var b = 0; b < neg.Length; b++)
                {
                    negative[b].Write(bits, BitConverter.DoubleToUInt64Bits(neg[b]));
                }
            }
            t = sampleT;
            tDelta = newTDelta;
        }
    }

    /// <summary>One XOR-encoded field of a float histogram chunk: its last value and window.</summary>
    private sealed class XorState
    {
        private byte _leading = 0xff;
        private byte _trailing;

        public ulong Value { get; set; }

        public void Write(BitStream bits, ulong value)
        {
            bits.WriteXor(value, Value, ref _leading, ref _trailing);
            Value = value;
        }
    }
}
