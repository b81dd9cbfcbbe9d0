using System.Buffers;
using System.IO.Hashing;
using System.Text;
using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

/// <summary>
/// The experimental aggregations limitk and limit_ratio: a subset of the input series, not an ordering of them, so a
/// dashboard can sample a large vector cheaply. Which series are kept does not depend on their values.
/// </summary>
internal sealed partial class Evaluator
{
    private List<Sample> Limit(AggregateExpr aggregate, List<Sample> input, double parameter, long t)
    {
        if (aggregate.Op == AggregationOp.Limitk)
        {
            if (double.IsNaN(parameter))
            {
                throw new PromQLException(PromQLErrorType.Execution, "Parameter value is NaN");
            }
            if (parameter >= 9.2233720368547758E+18 || parameter < -9.2233720368547758E+18)
            {
                throw new PromQLException(PromQLErrorType.Execution, $"Scalar value {MathUtil.FormatFloat(parameter)} overflows int64");
            }
            return LimitK(aggregate, input, (long)parameter, t);
        }
        if (double.IsNaN(parameter))
        {
            throw new PromQLException(PromQLErrorType.Execution, "Ratio value is NaN");
        }
        var ratio = Math.Clamp(parameter, -1, 1);
        if (ratio != parameter)
        {
            AddWarning($"PromQL warning: ratio value should be between -1 and 1, got {MathUtil.FormatFloat(parameter)}, capping to {MathUtil.FormatFloat(ratio)} ({Where(aggregate.Parameter!)})");
        }
        var output = new List<Sample>();
        if (ratio == 0)
        {
            return output;
        }
        foreach (var sample in input)
        {
            if (InRatio(ratio, SeriesHash(sample)))
            {
                output.Add(sample with { T = t });
            }
        }
        return output;
    }

    /// <summary>The first k series of each group, in input order (storage order for a selector), as Prometheus keeps them.</summary>
    private List<Sample> LimitK(AggregateExpr aggregate, List<Sample> input, long k, long t)
    {
        var output = new List<Sample>();
        if (k < 1)
        {
            return output;
        }
        if (aggregate.Grouping.Count == 0 && !aggregate.Without)
        {
            for (var i = 0; i < input.Count && i < k; i++)
            {
                output.Add(input[i] with { T = t });
            }
            return output;
        }
        var taken = new Dictionary<Labels, long>();
        foreach (var sample in input)
        {
            var key = GroupingKey(aggregate, sample.Metric);
            var count = taken.GetValueOrDefault(key);
            if (count < k)
            {
                taken[key] = count + 1;
                output.Add(sample with { T = t });
            }
        }
        return output;
    }

    /// <summary>
    /// Whether a series falls in the sample: its hash as a fraction of the hash space below the ratio, or for a negative
    /// ratio at or above 1 + ratio. So limit_ratio(r) and limit_ratio(-(1 - r)) split the series in two, and a series
    /// stays in (or out) at every step and in every query.
    /// </summary>
    internal static bool InRatio(double ratio, ulong hash)
    {
        var offset = hash / (double)ulong.MaxValue;
        return ratio >= 0 ? offset < ratio : offset >= 1.0 + ratio;
    }

    /// <summary>
    /// Prometheus' labels.Hash: xxHash64 of every label as name 0xFF value 0xFF, in name order, so the same series is
    /// kept as Prometheus keeps it. The labels are those the series is shown with (a name a function dropped is not
    /// hashed), as in Prometheus without delayed name removal, its default.
    /// </summary>
    internal static ulong SeriesHash(in Sample sample) => LabelsHash(sample.DropName ? LabelSets.DropName(sample.Metric) : sample.Metric);

    internal static ulong LabelsHash(Labels labels)
    {
        var length = 0;
        foreach (var label in labels)
        {
            length += Encoding.UTF8.GetByteCount(label.Name) + Encoding.UTF8.GetByteCount(label.Value) + 2;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var at = 0;
            foreach (var label in labels)
            {
                at += Encoding.UTF8.GetBytes(label.Name, buffer.AsSpan(at));
                buffer[at++] = 0xFF;
                at += Encoding.UTF8.GetBytes(label.Value, buffer.AsSpan(at));
                buffer[at++] = 0xFF;
            }
            return XxHash64.HashToUInt64(buffer.AsSpan(0, at));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
