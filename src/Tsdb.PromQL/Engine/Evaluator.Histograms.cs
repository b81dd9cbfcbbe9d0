using System.Globalization;

namespace Tsdb.PromQL.Engine;

internal sealed partial class Evaluator
{
    private const double SmallDeltaTolerance = 1e-12;

    /// <summary>histogram_quantile over classic buckets: series grouped by their labels without <c>le</c>.</summary>
    private List<Sample> HistogramQuantile(Ast.Call call, long t)
    {
        var q = ScalarArg(call, 0, t);
        if (q is < 0 or > 1 || double.IsNaN(q))
        {
            AddWarning($"PromQL warning: quantile value should be between 0 and 1, got {MathUtil.FormatFloat(q)} ({Where(call.Args[0])})");
        }
        var output = new List<Sample>();
        var (groups, natives) = GroupBuckets(call, 1, t);
        foreach (var native in natives)
        {
            output.Add(new Sample(native.Metric, native.H!.Quantile(q), t, true));
        }
        foreach (var (key, buckets) in groups)
        {
            var (value, forcedMonotonic) = BucketQuantile(q, buckets);
            if (forcedMonotonic)
            {
                AddInfo($"PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"{key.Name}\" ({Where(call.Args[1])})");
            }
            output.Add(new Sample(key, value, t, true));
        }
        return output;
    }

    /// <summary>histogram_fraction over classic buckets: the share of observations in [lower, upper], interpolated linearly.</summary>
    private List<Sample> HistogramFraction(Ast.Call call, long t)
    {
        var lower = ScalarArg(call, 0, t);
        var upper = ScalarArg(call, 1, t);
        var output = new List<Sample>();
        var (groups, natives) = GroupBuckets(call, 2, t);
        foreach (var native in natives)
        {
            output.Add(new Sample(native.Metric, native.H!.Fraction(lower, upper), t, true));
        }
        foreach (var (key, input) in groups)
        {
            output.Add(new Sample(key, BucketFraction(lower, upper, input), t, true));
        }
        return output;
    }

    /// <summary>
    /// The vector argument's float series grouped into classic histograms (name kept: delayed name removal), and its
    /// native histogram samples. A native histogram with the labels of a classic group is ambiguous: both are dropped
    /// with Prometheus' warning.
    /// </summary>
    private (List<(Labels Key, List<(double UpperBound, double Count)> Buckets)> Classic, List<Sample> Native) GroupBuckets(Ast.Call call, int argIndex, long t)
    {
        var input = VectorArg(call, argIndex, t);
        var groups = new Dictionary<Labels, List<(double UpperBound, double Count)>>();
        var order = new List<(Labels Key, List<(double, double)> Buckets)>();
        var natives = new List<Sample>();
        foreach (var sample in input)
        {
            if (sample.H is not null)
            {
                natives.Add(sample);
                continue;
            }
            var le = sample.Metric.Get("le");
            if (!TryParseBound(le, out var upperBound))
            {
                AddWarning($"PromQL warning: bucket label \"le\" is missing or has a malformed value of \"{le}\" for metric name \"{sample.Metric.Name}\" ({Where(call.Args[argIndex])})");
                continue;
            }
            var key = LabelSets.Without(sample.Metric, ["le"], false);
            if (!groups.TryGetValue(key, out var buckets))
            {
                buckets = [];
                groups[key] = buckets;
                order.Add((key, buckets));
            }
            buckets.Add((upperBound, sample.F));
        }
        if (natives.Count > 0 && order.Count > 0)
        {
            var mixed = new HashSet<Labels>();
            foreach (var native in natives)
            {
                if (groups.ContainsKey(native.Metric))
                {
                    mixed.Add(native.Metric);
                    AddWarning($"PromQL warning: vector contains a mix of classic and native histograms for metric name \"{native.Metric.Name}\" ({Where(call.Args[argIndex])})");
                }
            }
            natives.RemoveAll(n => mixed.Contains(n.Metric));
            order.RemoveAll(g => mixed.Contains(g.Key));
        }
        return (order, natives);
    }

    /// <summary>histogram_count/sum/avg/stddev/stdvar: one float per native histogram sample; float samples give nothing.</summary>
    private List<Sample> HistogramStatistic(Ast.Call call, long t)
    {
        var input = VectorArg(call, 0, t);
        var output = new List<Sample>(input.Count);
        foreach (var sample in input)
        {
            if (sample.H is not { } h)
            {
                continue;
            }
            var value = call.Function.Name switch
            {
                "histogram_count" => h.Count,
                "histogram_sum" => h.Sum,
                "histogram_avg" => h.Sum / h.Count,
                "histogram_stddev" => Math.Sqrt(h.Variance()),
                _ => h.Variance(),
            };
            output.Add(new Sample(sample.Metric, value, t, true));
        }
        return output;
    }

    private static double BucketFraction(double lower, double upper, List<(double UpperBound, double Count)> input)
    {
        var buckets = Normalize(input, out _);
        if (double.IsNaN(lower) || double.IsNaN(upper) || buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }
        var total = buckets[^1].Count;
        if (total == 0)
        {
            return double.NaN;
        }
        if (lower >= upper)
        {
            return 0;
        }
        double observations = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            var hi = buckets[i].UpperBound;
            var lo = i > 0 ? buckets[i - 1].UpperBound : hi > 0 ? 0 : double.NegativeInfinity;
            var count = buckets[i].Count - (i > 0 ? buckets[i - 1].Count : 0);
            if (hi <= lower || lo >= upper || count == 0)
            {
                continue;
            }
            if (lower <= lo && hi <= upper)
            {
                observations += count;
                continue;
            }
            if (double.IsInfinity(lo) || double.IsInfinity(hi))
            {
                // No interpolation inside a bucket of infinite width: it counts whole when the range reaches the
                // same infinity, else not at all.
                if ((double.IsPositiveInfinity(hi) && double.IsPositiveInfinity(upper)) || (double.IsNegativeInfinity(lo) && double.IsNegativeInfinity(lower)))
                {
                    observations += count;
                }
                continue;
            }
            var from = Math.Max(lo, lower);
            var to = Math.Min(hi, upper);
            observations += count * (to - from) / (hi - lo);
        }
        return observations / total;
    }

    /// <summary>Sorts, merges equal bounds and removes decreases (Prometheus' coalesce + ensure-monotonic).</summary>
    private static List<(double UpperBound, double Count)> Normalize(List<(double UpperBound, double Count)> input, out bool forcedMonotonic)
    {
        var sorted = input.OrderBy(b => b.UpperBound).ToList();
        var buckets = new List<(double UpperBound, double Count)>(sorted.Count);
        foreach (var b in sorted)
        {
            if (buckets.Count > 0 && buckets[^1].UpperBound == b.UpperBound)
            {
                buckets[^1] = (b.UpperBound, buckets[^1].Count + b.Count);
            }
            else
            {
                buckets.Add(b);
            }
        }
        forcedMonotonic = false;
        if (buckets.Count == 0)
        {
            return buckets;
        }
        var previous = buckets[0].Count;
        for (var i = 1; i < buckets.Count; i++)
        {
            var current = buckets[i].Count;
            if (current == previous)
            {
                continue;
            }
            if (AlmostEqual(previous, current, SmallDeltaTolerance))
            {
                buckets[i] = (buckets[i].UpperBound, previous);
                continue;
            }
            if (current < previous)
            {
                buckets[i] = (buckets[i].UpperBound, previous);
                forcedMonotonic = true;
                continue;
            }
            previous = current;
        }
        return buckets;
    }

    private static bool TryParseBound(string text, out double value)
    {
        if (text.Length == 0)
        {
            value = 0;
            return false;
        }
        if (text is "+Inf" or "Inf" or "+inf" or "inf")
        {
            value = double.PositiveInfinity;
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static (double Value, bool ForcedMonotonic) BucketQuantile(double q, List<(double UpperBound, double Count)> input)
    {
        if (double.IsNaN(q))
        {
            return (double.NaN, false);
        }
        if (q < 0)
        {
            return (double.NegativeInfinity, false);
        }
        if (q > 1)
        {
            return (double.PositiveInfinity, false);
        }
        var buckets = Normalize(input, out var forced);
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return (double.NaN, false);
        }
        if (buckets.Count < 2)
        {
            return (double.NaN, forced);
        }
        var observations = buckets[^1].Count;
        if (observations == 0)
        {
            return (double.NaN, forced);
        }
        var rank = q * observations;
        var index = buckets.Count - 1;
        for (var i = 0; i < buckets.Count - 1; i++)
        {
            if (buckets[i].Count >= rank)
            {
                index = i;
                break;
            }
        }
        if (index == buckets.Count - 1)
        {
            return (buckets[^2].UpperBound, forced);
        }
        if (index == 0 && buckets[0].UpperBound <= 0)
        {
            return (buckets[0].UpperBound, forced);
        }
        double bucketStart = 0;
        var bucketEnd = buckets[index].UpperBound;
        var count = buckets[index].Count;
        if (index > 0)
        {
            bucketStart = buckets[index - 1].UpperBound;
            count -= buckets[index - 1].Count;
            rank -= buckets[index - 1].Count;
        }
        return (bucketStart + ((bucketEnd - bucketStart) * (rank / count)), forced);
    }

    private static bool AlmostEqual(double a, double b, double epsilon)
    {
        const double minNormal = 2.2250738585072014E-308;
        if (a == b)
        {
            return true;
        }
        var absSum = Math.Abs(a) + Math.Abs(b);
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < minNormal)
        {
            return diff < epsilon * minNormal;
        }
        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }
}
