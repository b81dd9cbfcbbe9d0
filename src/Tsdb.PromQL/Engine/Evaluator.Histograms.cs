using System.Globalization;

namespace Tsdb.PromQL.Engine;

internal sealed partial class Evaluator
{
    private const double SmallDeltaTolerance = 1e-12;

    /// <summary>histogram_quantile over classic buckets: series grouped by their labels without <c>le</c>.</summary>
    private List<Sample> HistogramQuantile(Ast.Call call, long t)
    {
        var q = ScalarArg(call, 0, t);
        var input = VectorArg(call, 1, t);
        if (q is < 0 or > 1 || double.IsNaN(q))
        {
            AddWarning($"PromQL warning: quantile value should be between 0 and 1, got {MathUtil.FormatFloat(q)} ({Where(call.Args[0])})");
        }
        var groups = new Dictionary<Labels, List<(double UpperBound, double Count)>>();
        var order = new List<Labels>();
        foreach (var sample in input)
        {
            var le = sample.Metric.Get("le");
            if (!TryParseBound(le, out var upper))
            {
                AddWarning($"PromQL warning: bucket label \"le\" is missing or has a malformed value of \"{le}\" for metric name \"{sample.Metric.Name}\" ({Where(call.Args[1])})");
                continue;
            }
            // Grouped with the metric name still present (delayed name removal): two metrics never share buckets.
            var key = LabelSets.Without(sample.Metric, ["le"], false);
            if (!groups.TryGetValue(key, out var buckets))
            {
                buckets = [];
                groups[key] = buckets;
                order.Add(key);
            }
            buckets.Add((upper, sample.F));
        }
        var output = new List<Sample>(order.Count);
        foreach (var key in order)
        {
            var (value, forcedMonotonic) = BucketQuantile(q, groups[key]);
            if (forcedMonotonic)
            {
                AddInfo("PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"\"");
            }
            output.Add(new Sample(key, value, t, true));
        }
        return output;
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
        var sorted = input.OrderBy(b => b.UpperBound).ToList();
        if (!double.IsPositiveInfinity(sorted[^1].UpperBound))
        {
            return (double.NaN, false);
        }
        // Coalesce buckets with the same bound.
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
        var forced = false;
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
                forced = true;
                continue;
            }
            previous = current;
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
