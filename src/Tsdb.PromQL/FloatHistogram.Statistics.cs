namespace Tsdb.PromQL;

public sealed partial class FloatHistogram
{
    /// <summary>
    /// The φ-quantile estimated as Prometheus' histogram_quantile does for native histograms: the bucket holding the
    /// rank is found from the nearer end; inside it, exponential buckets interpolate exponentially, custom buckets and
    /// the zero bucket linearly. NaN for an empty histogram, ±Inf for φ outside [0, 1].
    /// </summary>
    public double Quantile(double q)
    {
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        if (Count == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }
        var buckets = AllBuckets().ToList();
        // NaN observations add to the count but to no bucket: only the forward direction is right then.
        var forward = double.IsNaN(Sum) || q < 0.5;
        var rank = forward ? q * Count : (1 - q) * Count;
        double count = 0;
        HistogramBucket bucket = default;
        for (var k = 0; k < buckets.Count; k++)
        {
            var b = buckets[forward ? k : buckets.Count - 1 - k];
            if (b.Count == 0)
            {
                continue;
            }
            bucket = b;
            count += b.Count;
            if (count >= rank)
            {
                break;
            }
        }
        var lower = bucket.Lower;
        var upper = bucket.Upper;
        if (!UsesCustomBuckets && lower < 0 && upper > 0)
        {
            if (NegIndex.Length == 0 && PosIndex.Length > 0)
            {
                lower = 0;
            }
            else if (PosIndex.Length == 0 && NegIndex.Length > 0)
            {
                upper = 0;
            }
        }
        else if (UsesCustomBuckets)
        {
            if (double.IsNegativeInfinity(lower))
            {
                if (upper <= 0)
                {
                    return upper;
                }
                lower = 0;
            }
            else if (double.IsPositiveInfinity(upper))
            {
                return lower;
            }
        }
        if (count > Count)
        {
            count = Count;
        }
        if (count < rank)
        {
            return upper;
        }
        rank = forward ? rank - (count - bucket.Count) : count - rank;
        var fraction = rank / bucket.Count;
        if (UsesCustomBuckets || (lower <= 0 && upper >= 0))
        {
            return lower + ((upper - lower) * fraction);
        }
        var logLower = Math.Log2(Math.Abs(lower));
        var logUpper = Math.Log2(Math.Abs(upper));
        if (lower > 0)
        {
            return Math.Pow(2, logLower + ((logUpper - logLower) * fraction));
        }
        return -Math.Pow(2, logUpper + ((logLower - logUpper) * (1 - fraction)));
    }

    /// <summary>
    /// The estimated share of observations in [<paramref name="lower"/>, <paramref name="upper"/>] (Prometheus'
    /// histogram_fraction): whole buckets inside count fully, the buckets holding the limits by interpolation
    /// (exponential for exponential buckets, linear for custom and zero buckets).
    /// </summary>
    public double Fraction(double lower, double upper)
    {
        if (Count == 0 || double.IsNaN(lower) || double.IsNaN(upper))
        {
            return double.NaN;
        }
        if (lower >= upper)
        {
            return 0;
        }
        double rank = 0, lowerRank = 0, upperRank = 0;
        bool lowerSet = false, upperSet = false;
        foreach (var bucket in AllBuckets())
        {
            var bLower = bucket.Lower;
            var bUpper = bucket.Upper;
            var linear = UsesCustomBuckets;
            if (bLower <= 0 && bUpper >= 0)
            {
                linear = true;
                if (NegIndex.Length == 0 && PosIndex.Length > 0)
                {
                    bLower = 0;
                }
                else if (PosIndex.Length == 0 && NegIndex.Length > 0)
                {
                    bUpper = 0;
                }
            }
            if (!lowerSet && bLower >= lower)
            {
                lowerRank = rank;
                lowerSet = true;
            }
            if (!upperSet && bLower >= upper)
            {
                upperRank = rank;
                upperSet = true;
            }
            if (lowerSet && upperSet)
            {
                break;
            }
            if (!lowerSet && bLower < lower && bUpper > lower)
            {
                lowerRank = Interpolate(lower);
                lowerSet = true;
            }
            if (!upperSet && bLower < upper && bUpper > upper)
            {
                upperRank = Interpolate(upper);
                upperSet = true;
            }
            if (lowerSet && upperSet)
            {
                break;
            }
            rank += bucket.Count;

            double Interpolate(double v)
            {
                if (linear)
                {
                    if (double.IsInfinity(bLower) || double.IsInfinity(bUpper))
                    {
                        // No interpolation inside an infinite bucket: the limit is at its finite end.
                        return double.IsNegativeInfinity(bLower) ? rank + bucket.Count : rank;
                    }
                    return rank + (bucket.Count * (v - bLower) / (bUpper - bLower));
                }
                var logLower = Math.Log2(Math.Abs(bLower));
                var logUpper = Math.Log2(Math.Abs(bUpper));
                var logV = Math.Log2(Math.Abs(v));
                var fraction = v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - ((logV - logUpper) / (logLower - logUpper));
                return rank + (bucket.Count * fraction);
            }
        }
        if (!lowerSet || lowerRank > Count)
        {
            lowerRank = Count;
        }
        if (!upperSet || upperRank > Count)
        {
            upperRank = Count;
        }
        return (upperRank - lowerRank) / Count;
    }

    /// <summary>
    /// The estimated variance of the observations (histogram_stdvar): every observation is taken to sit at its bucket's
    /// geometric mean (exponential buckets), arithmetic mean (custom buckets) or 0 (zero bucket).
    /// </summary>
    public double Variance()
    {
        var mean = Sum / Count;
        double variance = 0, c = 0;
        foreach (var bucket in AllBuckets())
        {
            if (bucket.Count == 0)
            {
                continue;
            }
            double value;
            if (UsesCustomBuckets)
            {
                value = (bucket.Upper + bucket.Lower) / 2;
                if (double.IsNegativeInfinity(bucket.Lower))
                {
                    value = bucket.Upper > 0 ? bucket.Upper / 2 : bucket.Upper;
                }
                else if (double.IsPositiveInfinity(bucket.Upper))
                {
                    value = bucket.Lower;
                }
            }
            else if (bucket.Lower <= 0 && bucket.Upper >= 0)
            {
                value = 0;
            }
            else
            {
                value = Math.Sqrt(bucket.Upper * bucket.Lower);
                if (bucket.Upper < 0)
                {
                    value = -value;
                }
            }
            var delta = value - mean;
            (variance, c) = Engine.MathUtil.KahanSumInc(bucket.Count * delta * delta, variance, c);
        }
        return (variance + c) / Count;
    }
}
