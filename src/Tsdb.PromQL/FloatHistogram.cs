using System.Globalization;
using System.Text;

namespace Tsdb.PromQL;

/// <summary>
/// A native histogram with float counts, as PromQL computes with it (Prometheus' FloatHistogram). Exponential schemas
/// −4…8: bucket <c>i</c> of schema <c>s</c> covers (2^((i−1)·2^−s), 2^(i·2^−s)] on the positive side and the mirror on
/// the negative side, plus a zero bucket [−ZeroThreshold, ZeroThreshold]. Schema −53 (custom buckets): bucket <c>i</c>
/// covers (CustomValues[i−1], CustomValues[i]], the first from −Inf, the last (index CustomValues.Length) to +Inf;
/// custom-bucket histograms have no zero or negative buckets. Counts are absolute (not deltas). Immutable: every
/// operation returns a new histogram. Buckets are held sparse as ascending (index, count) pairs; spans are made on
/// demand for whoever needs Prometheus' layout (the JSON API, storage).
/// </summary>
public sealed partial class FloatHistogram : IEquatable<FloatHistogram>
{
    public const int CustomBucketsSchema = -53;
    public const int MinExponentialSchema = -4;
    public const int MaxExponentialSchema = 8;

    private static readonly double[] NoValues = [];
    private static readonly int[] NoIndexes = [];

    internal readonly int[] PosIndex;
    internal readonly double[] PosCount;
    internal readonly int[] NegIndex;
    internal readonly double[] NegCount;

    internal FloatHistogram(int schema, double zeroThreshold, double zeroCount, double count, double sum, HistogramCounterResetHint hint,
        double[] customValues, int[] posIndex, double[] posCount, int[] negIndex, double[] negCount)
    {
        Schema = schema;
        ZeroThreshold = zeroThreshold;
        ZeroCount = zeroCount;
        Count = count;
        Sum = sum;
        CounterResetHint = hint;
        Cv = customValues;
        PosIndex = posIndex;
        PosCount = posCount;
        NegIndex = negIndex;
        NegCount = negCount;
    }

    /// <summary>
    /// A histogram in Prometheus' layout (spans and absolute bucket counts, as remote write's float histograms carry
    /// them). Throws <see cref="ArgumentException"/> for a schema out of range, spans that do not match the bucket
    /// counts, or custom bounds that are not strictly increasing.
    /// </summary>
    public FloatHistogram(int schema, double zeroThreshold, double zeroCount, double count, double sum,
        IReadOnlyList<HistogramSpan>? positiveSpans, IReadOnlyList<double>? positiveBuckets,
        IReadOnlyList<HistogramSpan>? negativeSpans, IReadOnlyList<double>? negativeBuckets,
        IReadOnlyList<double>? customValues = null, HistogramCounterResetHint counterResetHint = HistogramCounterResetHint.Unknown)
    {
        if (schema != CustomBucketsSchema && schema is < MinExponentialSchema or > MaxExponentialSchema)
        {
            throw new ArgumentException($"histogram schema {schema} is not supported (−4…8 exponential, −53 custom buckets)", nameof(schema));
        }
        Schema = schema;
        ZeroThreshold = zeroThreshold;
        ZeroCount = zeroCount;
        Count = count;
        Sum = sum;
        CounterResetHint = counterResetHint;
        Cv = schema == CustomBucketsSchema ? [.. customValues ?? []] : NoValues;
        for (var i = 1; i < Cv.Length; i++)
        {
            if (!(Cv[i] > Cv[i - 1]))
            {
                throw new ArgumentException("custom bucket bounds must be strictly increasing", nameof(customValues));
            }
        }
        (PosIndex, PosCount) = Expand(positiveSpans, positiveBuckets, nameof(positiveSpans));
        (NegIndex, NegCount) = Expand(negativeSpans, negativeBuckets, nameof(negativeSpans));
        if (schema == CustomBucketsSchema && (NegIndex.Length > 0 || zeroCount != 0))
        {
            throw new ArgumentException("a custom-buckets histogram has no negative or zero buckets", nameof(negativeSpans));
        }
        if (schema == CustomBucketsSchema && PosIndex.Length > 0 && (PosIndex[0] < 0 || PosIndex[^1] > Cv.Length))
        {
            throw new ArgumentException("a custom bucket index is outside the custom bounds", nameof(positiveSpans));
        }
    }

    /// <summary>
    /// An integer histogram as remote write and Prometheus' TSDB encode it: bucket counts as deltas from the previous
    /// bucket of the same side (the first from zero). Throws <see cref="ArgumentException"/> as the other constructor.
    /// </summary>
    public static FloatHistogram FromIntegerDeltas(int schema, double zeroThreshold, ulong zeroCount, ulong count, double sum,
        IReadOnlyList<HistogramSpan>? positiveSpans, IReadOnlyList<long>? positiveDeltas,
        IReadOnlyList<HistogramSpan>? negativeSpans, IReadOnlyList<long>? negativeDeltas,
        IReadOnlyList<double>? customValues = null, HistogramCounterResetHint counterResetHint = HistogramCounterResetHint.Unknown) =>
        new(schema, zeroThreshold, zeroCount, count, sum, positiveSpans, Absolute(positiveDeltas), negativeSpans, Absolute(negativeDeltas),
            customValues, counterResetHint);

    private static double[] Absolute(IReadOnlyList<long>? deltas)
    {
        if (deltas is null)
        {
            return NoValues;
        }
        var counts = new double[deltas.Count];
        long current = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            current += deltas[i];
            counts[i] = current;
        }
        return counts;
    }

    /// <summary>−4…8 for exponential buckets, −53 for custom buckets.</summary>
    public int Schema { get; }

    public double ZeroThreshold { get; }

    public double ZeroCount { get; }

    public double Count { get; }

    /// <summary>Sum of observations; a staleness marker's bits here mark a stale histogram sample.</summary>
    public double Sum { get; }

    public HistogramCounterResetHint CounterResetHint { get; }

    /// <summary>Upper bounds of the custom buckets, without +Inf (schema −53 only; empty otherwise).</summary>
    public IReadOnlyList<double> CustomValues => Cv;

    internal double[] Cv { get; }

    public bool UsesCustomBuckets => Schema == CustomBucketsSchema;

    public bool IsGauge => CounterResetHint == HistogramCounterResetHint.Gauge;

    /// <summary>Positive bucket spans of the non-empty buckets (compact: no empty bucket is listed).</summary>
    public IReadOnlyList<HistogramSpan> PositiveSpans => Spans(PosIndex, PosCount);

    /// <summary>Counts of the positive buckets <see cref="PositiveSpans"/> describes.</summary>
    public IReadOnlyList<double> PositiveBuckets => NonZero(PosCount);

    public IReadOnlyList<HistogramSpan> NegativeSpans => Spans(NegIndex, NegCount);

    public IReadOnlyList<double> NegativeBuckets => NonZero(NegCount);

    /// <summary>
    /// The positive buckets as held: ascending indexes beside <see cref="PositiveBucketCounts"/> (a count may be 0).
    /// For writers that lay the buckets out themselves without the allocations of <see cref="PositiveSpans"/>.
    /// </summary>
    public ReadOnlySpan<int> PositiveBucketIndexes => PosIndex;

    public ReadOnlySpan<double> PositiveBucketCounts => PosCount;

    public ReadOnlySpan<int> NegativeBucketIndexes => NegIndex;

    public ReadOnlySpan<double> NegativeBucketCounts => NegCount;

    private static (int[] Index, double[] Count) Expand(IReadOnlyList<HistogramSpan>? spans, IReadOnlyList<double>? buckets, string parameter)
    {
        if (spans is null || spans.Count == 0)
        {
            if (buckets is { Count: > 0 })
            {
                throw new ArgumentException("bucket counts without spans", parameter);
            }
            return (NoIndexes, NoValues);
        }
        long total = 0;
        foreach (var span in spans)
        {
            total += span.Length;
        }
        if (buckets is null || buckets.Count != total)
        {
            throw new ArgumentException($"spans describe {total} buckets, {buckets?.Count ?? 0} counts given", parameter);
        }
        var index = new int[total];
        var count = new double[total];
        var k = 0;
        long current = 0;
        for (var s = 0; s < spans.Count; s++)
        {
            if (s > 0 && spans[s].Offset < 0)
            {
                throw new ArgumentException("a span after the first has a negative offset", parameter);
            }
            current += spans[s].Offset;
            for (var j = 0; j < spans[s].Length; j++)
            {
                if (current is > int.MaxValue or < int.MinValue)
                {
                    throw new ArgumentException("bucket index out of range", parameter);
                }
                index[k] = (int)current;
                count[k] = buckets[k];
                k++;
                current++;
            }
        }
        return (index, count);
    }

    private static HistogramSpan[] Spans(int[] index, double[] count)
    {
        var spans = new List<HistogramSpan>();
        var previousEnd = 0;
        for (var i = 0; i < index.Length; i++)
        {
            if (count[i] == 0)
            {
                continue;
            }
            if (spans.Count > 0 && index[i] == previousEnd)
            {
                spans[^1] = spans[^1] with { Length = spans[^1].Length + 1 };
            }
            else
            {
                spans.Add(new HistogramSpan(spans.Count == 0 ? index[i] : index[i] - previousEnd, 1));
            }
            previousEnd = index[i] + 1;
        }
        return [.. spans];
    }

    private static double[] NonZero(double[] count)
    {
        var list = new List<double>(count.Length);
        foreach (var c in count)
        {
            if (c != 0)
            {
                list.Add(c);
            }
        }
        return [.. list];
    }

    /// <summary>The same histogram with another counter-reset hint.</summary>
    public FloatHistogram WithCounterResetHint(HistogramCounterResetHint hint) =>
        hint == CounterResetHint ? this : new FloatHistogram(Schema, ZeroThreshold, ZeroCount, Count, Sum, hint, Cv, PosIndex, PosCount, NegIndex, NegCount);

    /// <summary>Upper bound of bucket <paramref name="index"/> in an exponential schema (Prometheus' getBound).</summary>
    internal static double ExponentialBound(int index, int schema)
    {
        if (schema <= 0)
        {
            var exp = (long)index << -schema;
            if (exp >= 1024)
            {
                return double.MaxValue;
            }
            if (exp < -1074)
            {
                return 0;
            }
            return Math.ScaleB(1, (int)exp);
        }
        var perPowerOfTwo = 1 << schema;
        var fracIndex = index & (perPowerOfTwo - 1);
        var exponent = (index >> schema) + 1;
        var frac = Math.Pow(2, (double)fracIndex / perPowerOfTwo) / 2;
        if (fracIndex == 0 && exponent == 1025)
        {
            return double.MaxValue;
        }
        return Math.ScaleB(frac, exponent);
    }

    /// <summary>(lower, upper] of positive bucket <paramref name="index"/>.</summary>
    internal (double Lower, double Upper) PositiveBounds(int index)
    {
        if (UsesCustomBuckets)
        {
            var cv = Cv;
            var lower = index == 0 ? double.NegativeInfinity : cv[index - 1];
            var upper = index >= cv.Length ? double.PositiveInfinity : cv[index];
            return (lower, upper);
        }
        return (ExponentialBound(index - 1, Schema), ExponentialBound(index, Schema));
    }

    /// <summary>
    /// Every bucket in ascending order of value: negative buckets (most negative first), the zero bucket (when it has a
    /// width or a count), positive buckets. Empty buckets are included as stored.
    /// </summary>
    public IEnumerable<HistogramBucket> AllBuckets()
    {
        for (var i = NegIndex.Length - 1; i >= 0; i--)
        {
            yield return new HistogramBucket(-ExponentialBound(NegIndex[i], Schema), -ExponentialBound(NegIndex[i] - 1, Schema), true, false, NegCount[i]);
        }
        if (!UsesCustomBuckets && (ZeroThreshold != 0 || ZeroCount != 0))
        {
            yield return new HistogramBucket(-ZeroThreshold, ZeroThreshold, true, true, ZeroCount);
        }
        for (var i = 0; i < PosIndex.Length; i++)
        {
            var (lower, upper) = PositiveBounds(PosIndex[i]);
            yield return new HistogramBucket(lower, upper, false, true, PosCount[i]);
        }
    }

    /// <summary>Prometheus' String(): <c>{count:20, sum:10, [-2,-1):2, [-0.001,0.001]:2, (0.5,1]:1}</c>, non-empty buckets only (count_values uses it).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        builder.Append("{count:").Append(FormatG(Count)).Append(", sum:").Append(FormatG(Sum));
        foreach (var bucket in AllBuckets())
        {
            if (bucket.Count == 0)
            {
                continue;
            }
            builder.Append(", ").Append(bucket.LowerInclusive ? '[' : '(').Append(FormatG(bucket.Lower)).Append(',')
                .Append(FormatG(bucket.Upper)).Append(bucket.UpperInclusive ? ']' : ')').Append(':').Append(FormatG(bucket.Count));
        }
        return builder.Append('}').ToString();
    }

    /// <summary>Go's %g (shortest digits): exponent form below 1e-4 and from 1e6, as fmt prints floats.</summary>
    internal static string FormatG(double f)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }
        if (double.IsInfinity(f))
        {
            return f > 0 ? "+Inf" : "-Inf";
        }
        if (f == 0)
        {
            return double.IsNegative(f) ? "-0" : "0";
        }
        // Shortest round-trip digits in exponent form: d.dddE±x.
        var e = Math.Abs(f).ToString("E16", CultureInfo.InvariantCulture);
        var shortest = Math.Abs(f).ToString("R", CultureInfo.InvariantCulture);
        var exponent = int.Parse(e.AsSpan(e.IndexOf('E') + 1), CultureInfo.InvariantCulture);
        var mantissaEnd = shortest.IndexOfAny(['E', 'e']);
        var digits = new string((mantissaEnd >= 0 ? shortest[..mantissaEnd] : shortest).Where(char.IsAsciiDigit).ToArray()).TrimStart('0').TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }
        var sign = f < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 6)
        {
            var mantissa = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            var abs = Math.Abs(exponent);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (abs < 10 ? "0" : "") + abs.ToString(CultureInfo.InvariantCulture);
        }
        return sign + Engine.MathUtil.FormatFloat(Math.Abs(f));
    }

    public bool Equals(FloatHistogram? other) => other is not null && ExactlyEquals(other);

    public override bool Equals(object? obj) => obj is FloatHistogram other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Schema, Count, Sum, ZeroCount);
}
