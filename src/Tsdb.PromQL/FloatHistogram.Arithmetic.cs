namespace Tsdb.PromQL;

public sealed partial class FloatHistogram
{
    /// <summary>Multiplies count, sum and every bucket by <paramref name="factor"/> (layout unchanged).</summary>
    public FloatHistogram Scale(double factor) => Map(c => c * factor);

    /// <summary>Divides count, sum and every bucket by <paramref name="divisor"/> (0 gives ±Inf or NaN, as in Go).</summary>
    public FloatHistogram Divide(double divisor) => Map(c => c / divisor);

    private FloatHistogram Map(Func<double, double> f)
    {
        var pos = new double[PosCount.Length];
        for (var i = 0; i < pos.Length; i++)
        {
            pos[i] = f(PosCount[i]);
        }
        var neg = new double[NegCount.Length];
        for (var i = 0; i < neg.Length; i++)
        {
            neg[i] = f(NegCount[i]);
        }
        return new FloatHistogram(Schema, ZeroThreshold, f(ZeroCount), f(Count), f(Sum), CounterResetHint, Cv, PosIndex, pos, NegIndex, neg);
    }

    /// <summary>
    /// This + <paramref name="other"/>. Exponential schemas meet at the lower resolution and the wider zero bucket;
    /// custom buckets with different bounds meet at the bounds both share (<paramref name="boundsReconciled"/>).
    /// Returns false when one uses custom buckets and the other does not (Prometheus refuses those).
    /// </summary>
    public bool TryAdd(FloatHistogram other, out FloatHistogram result, out bool boundsReconciled) =>
        TryCombine(other, 1, out result, out boundsReconciled);

    /// <summary>This − <paramref name="other"/>; see <see cref="TryAdd"/>.</summary>
    public bool TrySubtract(FloatHistogram other, out FloatHistogram result, out bool boundsReconciled) =>
        TryCombine(other, -1, out result, out boundsReconciled);

    /// <summary>This + <paramref name="other"/>; throws <see cref="InvalidOperationException"/> for exponential with custom buckets.</summary>
    public FloatHistogram Add(FloatHistogram other) =>
        TryAdd(other, out var result, out _) ? result : throw new InvalidOperationException(MixedSchemasMessage);

    public FloatHistogram Subtract(FloatHistogram other) =>
        TrySubtract(other, out var result, out _) ? result : throw new InvalidOperationException(MixedSchemasMessage);

    internal const string MixedSchemasMessage = "cannot apply this operation on histograms with a mix of exponential and custom bucket schemas";

    private bool TryCombine(FloatHistogram other, double sign, out FloatHistogram result, out bool boundsReconciled)
    {
        ArgumentNullException.ThrowIfNull(other);
        boundsReconciled = false;
        if (UsesCustomBuckets != other.UsesCustomBuckets)
        {
            result = this;
            return false;
        }
        var hint = CombineHints(CounterResetHint, other.CounterResetHint);
        if (UsesCustomBuckets)
        {
            var a = this;
            var b = other;
            if (!SameBounds(Cv, other.Cv))
            {
                var common = Intersect(Cv, other.Cv);
                a = ToCustomBounds(common);
                b = other.ToCustomBounds(common);
                boundsReconciled = true;
            }
            var (idx, cnt) = Merge(a.PosIndex, a.PosCount, b.PosIndex, b.PosCount, sign);
            result = new FloatHistogram(CustomBucketsSchema, 0, 0, Count + (sign * other.Count), Sum + (sign * other.Sum), hint,
                a.Cv, idx, cnt, NoIndexes, NoValues);
            return true;
        }
        var schema = Math.Min(Schema, other.Schema);
        var x = ToSchema(schema);
        var y = other.ToSchema(schema);
        var threshold = Math.Max(x.ZeroThreshold, y.ZeroThreshold);
        x = x.WidenZeroBucket(threshold);
        y = y.WidenZeroBucket(x.ZeroThreshold);
        x = x.WidenZeroBucket(y.ZeroThreshold);
        var (pi, pc) = Merge(x.PosIndex, x.PosCount, y.PosIndex, y.PosCount, sign);
        var (ni, nc) = Merge(x.NegIndex, x.NegCount, y.NegIndex, y.NegCount, sign);
        result = new FloatHistogram(schema, x.ZeroThreshold, x.ZeroCount + (sign * y.ZeroCount), Count + (sign * other.Count), Sum + (sign * other.Sum),
            hint, NoValues, pi, pc, ni, nc);
        return true;
    }

    /// <summary>Prometheus' rule for the hint of a sum: gauge wins, unknown next, reset and not-reset collide to unknown.</summary>
    private static HistogramCounterResetHint CombineHints(HistogramCounterResetHint a, HistogramCounterResetHint b)
    {
        if (a == b)
        {
            return a;
        }
        if (a == HistogramCounterResetHint.Gauge || b == HistogramCounterResetHint.Gauge)
        {
            return HistogramCounterResetHint.Gauge;
        }
        return HistogramCounterResetHint.Unknown;
    }

    private static (int[] Index, double[] Count) Merge(int[] ai, double[] ac, int[] bi, double[] bc, double sign)
    {
        var index = new List<int>(ai.Length + bi.Length);
        var count = new List<double>(ai.Length + bi.Length);
        int i = 0, j = 0;
        while (i < ai.Length || j < bi.Length)
        {
            if (j >= bi.Length || (i < ai.Length && ai[i] < bi[j]))
            {
                index.Add(ai[i]);
                count.Add(ac[i++]);
            }
            else if (i >= ai.Length || bi[j] < ai[i])
            {
                index.Add(bi[j]);
                count.Add(sign * bc[j++]);
            }
            else
            {
                index.Add(ai[i]);
                count.Add(ac[i++] + (sign * bc[j++]));
            }
        }
        return ([.. index], [.. count]);
    }

    internal static bool SameBounds(double[] a, double[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }
        return true;
    }

    private static double[] Intersect(double[] a, double[] b)
    {
        var common = new List<double>();
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                common.Add(a[i]);
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return [.. common];
    }

    /// <summary>Custom buckets merged into coarser bounds (a subset of this histogram's): each goes to the first bound at or above its own.</summary>
    private FloatHistogram ToCustomBounds(double[] bounds)
    {
        var target = new SortedDictionary<int, double>();
        var cv = Cv;
        for (var i = 0; i < PosIndex.Length; i++)
        {
            var upper = PosIndex[i] >= cv.Length ? double.PositiveInfinity : cv[PosIndex[i]];
            var k = Array.BinarySearch(bounds, upper);
            var index = k >= 0 ? k : ~k;
            target[index] = target.GetValueOrDefault(index) + PosCount[i];
        }
        return new FloatHistogram(CustomBucketsSchema, 0, 0, Count, Sum, CounterResetHint, bounds, [.. target.Keys], [.. target.Values], NoIndexes, NoValues);
    }

    /// <summary>The same observations at a lower resolution (<paramref name="target"/> ≤ <see cref="Schema"/>).</summary>
    public FloatHistogram ToSchema(int target)
    {
        if (target == Schema || UsesCustomBuckets)
        {
            return this;
        }
        if (target > Schema)
        {
            throw new ArgumentOutOfRangeException(nameof(target), "a histogram can only be reduced to a lower schema");
        }
        var (pi, pc) = Reduce(PosIndex, PosCount, Schema - target);
        var (ni, nc) = Reduce(NegIndex, NegCount, Schema - target);
        return new FloatHistogram(target, ZeroThreshold, ZeroCount, Count, Sum, CounterResetHint, NoValues, pi, pc, ni, nc);
    }

    private static (int[] Index, double[] Count) Reduce(int[] index, double[] count, int delta)
    {
        var outIndex = new List<int>(index.Length);
        var outCount = new List<double>(index.Length);
        for (var i = 0; i < index.Length; i++)
        {
            // Bucket i of schema s lies in bucket ((i−1) >> delta) + 1 of schema s − delta.
            var t = ((index[i] - 1) >> delta) + 1;
            if (outIndex.Count > 0 && outIndex[^1] == t)
            {
                outCount[^1] += count[i];
            }
            else
            {
                outIndex.Add(t);
                outCount.Add(count[i]);
            }
        }
        return ([.. outIndex], [.. outCount]);
    }

    /// <summary>
    /// The zero bucket widened to at least <paramref name="threshold"/>: buckets it overlaps move into it, and when the
    /// threshold falls inside a populated bucket, the threshold grows to that bucket's upper bound (Prometheus'
    /// zeroCountForLargerThreshold).
    /// </summary>
    private FloatHistogram WidenZeroBucket(double threshold)
    {
        if (threshold <= ZeroThreshold || UsesCustomBuckets)
        {
            return this;
        }
        var zeroCount = ZeroCount;
        while (true)
        {
            var grown = false;
            for (var i = 0; i < PosIndex.Length; i++)
            {
                var lower = ExponentialBound(PosIndex[i] - 1, Schema);
                var upper = ExponentialBound(PosIndex[i], Schema);
                if (lower < threshold && upper > threshold && PosCount[i] != 0)
                {
                    threshold = upper;
                    grown = true;
                }
            }
            for (var i = 0; i < NegIndex.Length; i++)
            {
                var lower = ExponentialBound(NegIndex[i] - 1, Schema);
                var upper = ExponentialBound(NegIndex[i], Schema);
                if (lower < threshold && upper > threshold && NegCount[i] != 0)
                {
                    threshold = upper;
                    grown = true;
                }
            }
            if (!grown)
            {
                break;
            }
        }
        var pi = new List<int>();
        var pc = new List<double>();
        for (var i = 0; i < PosIndex.Length; i++)
        {
            if (ExponentialBound(PosIndex[i], Schema) <= threshold)
            {
                zeroCount += PosCount[i];
            }
            else
            {
                pi.Add(PosIndex[i]);
                pc.Add(PosCount[i]);
            }
        }
        var ni = new List<int>();
        var nc = new List<double>();
        for (var i = 0; i < NegIndex.Length; i++)
        {
            if (ExponentialBound(NegIndex[i], Schema) <= threshold)
            {
                zeroCount += NegCount[i];
            }
            else
            {
                ni.Add(NegIndex[i]);
                nc.Add(NegCount[i]);
            }
        }
        return new FloatHistogram(Schema, threshold, zeroCount, Count, Sum, CounterResetHint, NoValues, [.. pi], [.. pc], [.. ni], [.. nc]);
    }

    /// <summary>
    /// Whether this sample, following <paramref name="previous"/>, starts anew (Prometheus' DetectReset): a reset or
    /// not-reset hint is trusted; otherwise a fall in count, zero count or any bucket, a finer schema, a narrower zero
    /// bucket, or a switch between exponential and custom buckets is a reset.
    /// </summary>
    public bool DetectReset(FloatHistogram previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        switch (CounterResetHint)
        {
            case HistogramCounterResetHint.CounterReset:
                return true;
            case HistogramCounterResetHint.NotCounterReset:
                return false;
            default:
                break;
        }
        if (UsesCustomBuckets != previous.UsesCustomBuckets)
        {
            return true;
        }
        if (Count < previous.Count)
        {
            return true;
        }
        if (UsesCustomBuckets)
        {
            var current = this;
            var before = previous;
            if (!SameBounds(Cv, previous.Cv))
            {
                var common = Intersect(Cv, previous.Cv);
                current = ToCustomBounds(common);
                before = previous.ToCustomBounds(common);
            }
            return AnyBucketFell(current.PosIndex, current.PosCount, before.PosIndex, before.PosCount);
        }
        if (Schema > previous.Schema || ZeroThreshold < previous.ZeroThreshold)
        {
            return true;
        }
        var old = previous.ToSchema(Schema).WidenZeroBucket(ZeroThreshold);
        if (old.ZeroThreshold != ZeroThreshold)
        {
            // The larger zero bucket would cut through a populated bucket of the previous sample.
            return true;
        }
        return ZeroCount < old.ZeroCount
            || AnyBucketFell(PosIndex, PosCount, old.PosIndex, old.PosCount)
            || AnyBucketFell(NegIndex, NegCount, old.NegIndex, old.NegCount);
    }

    private static bool AnyBucketFell(int[] ci, double[] cc, int[] pi, double[] pc)
    {
        var j = 0;
        for (var i = 0; i < pi.Length; i++)
        {
            while (j < ci.Length && ci[j] < pi[i])
            {
                j++;
            }
            var current = j < ci.Length && ci[j] == pi[i] ? cc[j] : 0;
            if (current < pc[i])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Exact equality of the observations (empty buckets and span layout aside), as PromQL's == compares histograms.</summary>
    public bool ExactlyEquals(FloatHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Schema != other.Schema || !SameFloat(ZeroThreshold, other.ZeroThreshold) || !SameFloat(ZeroCount, other.ZeroCount)
            || !SameFloat(Count, other.Count) || !SameFloat(Sum, other.Sum))
        {
            return false;
        }
        if (UsesCustomBuckets && !SameBounds(Cv, other.Cv))
        {
            return false;
        }
        return SameBuckets(PosIndex, PosCount, other.PosIndex, other.PosCount, static (a, b) => a == b)
            && SameBuckets(NegIndex, NegCount, other.NegIndex, other.NegCount, static (a, b) => a == b);

        // Go compares float bits here, so NaN sums equal each other.
        static bool SameFloat(double a, double b) => a == b || (double.IsNaN(a) && double.IsNaN(b));
    }

    /// <summary>Whether the non-empty buckets of two layouts match under <paramref name="equal"/>.</summary>
    internal static bool SameBuckets(int[] ai, double[] ac, int[] bi, double[] bc, Func<double, double, bool> equal)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < ai.Length && ac[i] == 0)
            {
                i++;
            }
            while (j < bi.Length && bc[j] == 0)
            {
                j++;
            }
            if (i >= ai.Length || j >= bi.Length)
            {
                return i >= ai.Length && j >= bi.Length;
            }
            if (ai[i] != bi[j] || !equal(ac[i], bc[j]))
            {
                return false;
            }
            i++;
            j++;
        }
    }

    /// <summary>This histogram without empty buckets.</summary>
    public FloatHistogram Compact()
    {
        var (pi, pc) = DropEmpty(PosIndex, PosCount);
        var (ni, nc) = DropEmpty(NegIndex, NegCount);
        return new FloatHistogram(Schema, ZeroThreshold, ZeroCount, Count, Sum, CounterResetHint, Cv, pi, pc, ni, nc);
    }

    private static (int[] Index, double[] Count) DropEmpty(int[] index, double[] count)
    {
        var i2 = new List<int>(index.Length);
        var c2 = new List<double>(index.Length);
        for (var i = 0; i < index.Length; i++)
        {
            if (count[i] != 0)
            {
                i2.Add(index[i]);
                c2.Add(count[i]);
            }
        }
        return ([.. i2], [.. c2]);
    }
}
