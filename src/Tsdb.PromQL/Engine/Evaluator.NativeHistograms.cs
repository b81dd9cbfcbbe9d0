using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

/// <summary>
/// Native histograms in range functions, as Prometheus 3 evaluates them: rate/increase/delta/irate/idelta over
/// histogram ranges, resets/changes over mixed ranges, sum/avg/last/first_over_time; and the annotations a mix of
/// floats and histograms causes.
/// </summary>
internal sealed partial class Evaluator
{
    private static int CountHistograms(in RangeSeries series)
    {
        var count = 0;
        foreach (var h in series.H)
        {
            if (h is not null)
            {
                count++;
            }
        }
        return count;
    }

    private static (long[] T, double[] F) FloatsOnly(in RangeSeries series)
    {
        var hs = series.H;
        var ts = new List<long>(series.Count);
        var fs = new List<double>(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            if (hs[i] is null)
            {
                ts.Add(series.T[i]);
                fs.Add(series.F[i]);
            }
        }
        return ([.. ts], [.. fs]);
    }

    /// <summary>A float-only range function met a window with histograms and floats: the histograms are left out.</summary>
    private void AddIgnoredHistogramsInfo(in RangeSeries series, Expr arg) =>
        AddInfo($"PromQL info: ignored histograms in a range containing both floats and histograms for metric name \"{series.Metric.Name}\" ({Where(arg)})");

    private string MixWarning(in RangeSeries series, Expr arg) =>
        $"PromQL warning: encountered a mix of histograms and floats for metric name \"{series.Metric.Name}\" ({Where(arg)})";

    private string MixedSchemasWarning(string metricName, Expr arg) =>
        $"PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"{metricName}\" ({Where(arg)})";

    private string ReconciledInfo(string operation, Expr arg) =>
        $"PromQL info: mismatched custom buckets were reconciled during {operation} ({Where(arg)})";

    /// <summary>
    /// Range functions over a window holding <paramref name="histograms"/> histogram samples. True when the function
    /// was answered here (with or without a sample in <paramref name="output"/>); false for functions that read floats only.
    /// </summary>
    private bool TryHistogramRangeFunction(Call call, in RangeSeries series, int histograms, long rangeStart, long rangeEnd, long range, long t, List<Sample> output)
    {
        var name = call.Function.Name;
        var arg = call.Args[0];
        var hs = series.H;
        var floats = series.Count - histograms;
        switch (name)
        {
            case "rate" or "increase" or "delta":
                {
                    if (series.Count < 2)
                    {
                        return true;
                    }
                    if (floats > 0)
                    {
                        AddWarning(MixWarning(series, arg));
                        return true;
                    }
                    var h = HistogramRate(series, name != "delta", arg);
                    if (h is null)
                    {
                        return true;
                    }
                    var ts = series.T;
                    var durationToStart = (ts[0] - rangeStart) / 1000.0;
                    var durationToEnd = (rangeEnd - ts[^1]) / 1000.0;
                    var sampledInterval = (ts[^1] - ts[0]) / 1000.0;
                    var averageInterval = sampledInterval / (series.Count - 1);
                    var threshold = averageInterval * 1.1;
                    if (durationToStart >= threshold)
                    {
                        durationToStart = averageInterval / 2;
                    }
                    if (durationToEnd >= threshold)
                    {
                        durationToEnd = averageInterval / 2;
                    }
                    // No cut-off at the point where the counter would reach zero: Prometheus applies it to floats only.
                    var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
                    if (name == "rate")
                    {
                        factor /= range / 1000.0;
                    }
                    output.Add(new Sample(series.Metric, 0, t, true) { H = h.Scale(factor) });
                    return true;
                }
            case "irate" or "idelta":
                {
                    if (series.Count < 2)
                    {
                        return true;
                    }
                    var last = hs[^1];
                    var previous = hs[^2];
                    if (last is null && previous is null)
                    {
                        return false;
                    }
                    if (last is null || previous is null)
                    {
                        AddWarning(MixWarning(series, arg));
                        return true;
                    }
                    var isRate = name == "irate";
                    if (isRate && (last.IsGauge || previous.IsGauge))
                    {
                        AddWarning($"PromQL warning: this native histogram metric is not a counter: \"{series.Metric.Name}\" ({Where(arg)})");
                    }
                    if (!isRate && (!last.IsGauge || !previous.IsGauge))
                    {
                        AddWarning($"PromQL warning: this native histogram metric is not a gauge: \"{series.Metric.Name}\" ({Where(arg)})");
                    }
                    var result = last;
                    if (!isRate || !last.DetectReset(previous))
                    {
                        if (!last.TrySubtract(previous, out result, out var reconciled))
                        {
                            AddWarning(MixedSchemasWarning(series.Metric.Name, arg));
                            return true;
                        }
                        if (reconciled)
                        {
                            AddInfo(ReconciledInfo("subtraction", arg));
                        }
                    }
                    result = result.WithCounterResetHint(HistogramCounterResetHint.Gauge).Compact();
                    if (isRate)
                    {
                        var interval = series.T[^1] - series.T[^2];
                        if (interval == 0)
                        {
                            return true;
                        }
                        result = result.Divide(interval / 1000.0);
                    }
                    output.Add(new Sample(series.Metric, 0, t, true) { H = result });
                    return true;
                }
            case "resets" or "changes":
                {
                    var count = 0;
                    var fs = series.F;
                    for (var i = 1; i < series.Count; i++)
                    {
                        var (ph, ch) = (hs[i - 1], hs[i]);
                        if (ph is null && ch is null)
                        {
                            var (pf, cf) = (fs[i - 1], fs[i]);
                            if (name == "resets" ? cf < pf : !(cf == pf || (double.IsNaN(cf) && double.IsNaN(pf))))
                            {
                                count++;
                            }
                        }
                        else if (ph is null || ch is null)
                        {
                            count++;
                        }
                        else if (name == "resets" ? ch.DetectReset(ph) : !ch.ExactlyEquals(ph))
                        {
                            count++;
                        }
                    }
                    output.Add(new Sample(series.Metric, count, t, true));
                    return true;
                }
            case "sum_over_time" or "avg_over_time":
                {
                    if (floats > 0)
                    {
                        AddWarning(MixWarning(series, arg));
                        return true;
                    }
                    var sum = hs[0]!;
                    for (var i = 1; i < series.Count; i++)
                    {
                        if (!sum.TryAdd(hs[i]!, out sum, out var reconciled))
                        {
                            AddWarning(MixedSchemasWarning(series.Metric.Name, arg));
                            return true;
                        }
                        if (reconciled)
                        {
                            AddInfo(ReconciledInfo("aggregation", arg));
                        }
                    }
                    if (name == "avg_over_time")
                    {
                        sum = sum.Divide(series.Count);
                    }
                    output.Add(new Sample(series.Metric, 0, t, true) { H = sum.Compact() });
                    return true;
                }
            case "last_over_time" or "first_over_time":
                {
                    var i = name == "last_over_time" ? series.Count - 1 : 0;
                    output.Add(new Sample(series.Metric, series.F[i], t, series.DropName) { H = hs[i] });
                    return true;
                }
            default:
                return false;
        }
    }

    /// <summary>
    /// The change of a histogram counter (or gauge, <paramref name="isCounter"/> false) over a window of histogram
    /// samples, counter resets added back (Prometheus' histogramRate); null with a warning when it cannot be had.
    /// </summary>
    private FloatHistogram? HistogramRate(in RangeSeries series, bool isCounter, Expr arg)
    {
        var hs = series.H;
        var first = hs[0]!;
        var last = hs[^1]!;
        var metricName = series.Metric.Name;
        for (var i = 1; i < hs.Length; i++)
        {
            if (hs[i]!.UsesCustomBuckets != first.UsesCustomBuckets)
            {
                AddWarning(MixedSchemasWarning(metricName, arg));
                return null;
            }
        }
        if (isCounter)
        {
            foreach (var h in hs)
            {
                if (h!.IsGauge)
                {
                    AddWarning($"PromQL warning: this native histogram metric is not a counter: \"{metricName}\" ({Where(arg)})");
                    break;
                }
            }
        }
        else if (!first.IsGauge || !last.IsGauge)
        {
            AddWarning($"PromQL warning: this native histogram metric is not a gauge: \"{metricName}\" ({Where(arg)})");
        }
        if (!last.TrySubtract(first, out var result, out var reconciled))
        {
            AddWarning(MixedSchemasWarning(metricName, arg));
            return null;
        }
        if (reconciled)
        {
            AddInfo(ReconciledInfo("subtraction", arg));
        }
        if (isCounter)
        {
            var previous = first;
            for (var i = 1; i < hs.Length; i++)
            {
                var current = hs[i]!;
                if (current.DetectReset(previous))
                {
                    result.TryAdd(previous, out result, out reconciled);
                    if (reconciled)
                    {
                        AddInfo(ReconciledInfo("aggregation", arg));
                    }
                }
                previous = current;
            }
        }
        return result.WithCounterResetHint(HistogramCounterResetHint.Gauge).Compact();
    }
}
