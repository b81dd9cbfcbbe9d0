using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

internal sealed partial class Evaluator
{
    private string? _lastCounterName;

    /// <summary>The (start, end] window a range argument covers at evaluation time <paramref name="t"/>, and its length.</summary>
    private (long Start, long End, long Range) RangeWindow(Expr arg, long t)
    {
        while (arg is ParenExpr p)
        {
            arg = p.Inner;
        }
        return arg switch
        {
            MatrixSelector ms => Window(ResolveAt(ms.Selector.At, ms.Selector.AtMs, t) - ms.Selector.OffsetMs, ms.RangeMs),
            SubqueryExpr sq => Window(ResolveAt(sq.At, sq.AtMs, t) - sq.OffsetMs, sq.RangeMs),
            _ => Window(t, 0),
        };

        static (long, long, long) Window(long end, long range) => (end - range, end, range);
    }

    private VectorResult EvalRangeFunction(Call call, long t)
    {
        var name = call.Function.Name;
        var matrixIndex = name == "quantile_over_time" ? 1 : 0;
        var matrixArg = call.Args[matrixIndex];
        var matrix = ((MatrixResult)Eval(matrixArg, t)).Series;
        var (rangeStart, rangeEnd, range) = RangeWindow(matrixArg, t);
        double scalarArg = 0;
        if (name == "quantile_over_time")
        {
            scalarArg = ((ScalarResult)Eval(call.Args[0], t)).Value;
            if (scalarArg is < 0 or > 1 || double.IsNaN(scalarArg))
            {
                AddWarning($"PromQL warning: quantile value should be between 0 and 1, got {MathUtil.FormatFloat(scalarArg)} ({Where(call.Args[0])})");
            }
        }
        else if (name == "predict_linear")
        {
            scalarArg = ((ScalarResult)Eval(call.Args[1], t)).Value;
        }
        if (name == "absent_over_time")
        {
            return new VectorResult(matrix.Count > 0 ? [] : [new Sample(AbsentLabels(matrixArg), 1, t, false)]);
        }
        var keepName = name is "last_over_time" or "first_over_time";
        var output = RentSamples(matrix.Count);
        foreach (var series in matrix)
        {
            var ts = series.T;
            var fs = series.F;
            if (series.MayHaveHistograms && CountHistograms(series) is var histograms and > 0)
            {
                if (TryHistogramRangeFunction(call, series, histograms, rangeStart, rangeEnd, range, t, output))
                {
                    continue;
                }
                if (name is not ("count_over_time" or "present_over_time"))
                {
                    // Every other range function reads floats only: histograms are left out, noted when floats remain.
                    if (histograms == series.Count)
                    {
                        continue;
                    }
                    // irate/idelta get here only when their last two samples are floats: nothing was ignored.
                    if (name is not ("irate" or "idelta"))
                    {
                        AddInfo($"PromQL info: ignored histograms in a range containing both floats and histograms for metric name \"{series.Metric.Name}\" ({Where(call.Args[matrixIndex])})");
                    }
                    var (floatTimes, floatValues) = FloatsOnly(series);
                    ts = floatTimes;
                    fs = floatValues;
                }
            }
            double value;
            switch (name)
            {
                case "rate" or "increase" or "delta":
                    if (fs.Length < 2)
                    {
                        continue;
                    }
                    if (name != "delta")
                    {
                        CheckCounterName(series, call);
                    }
                    value = ExtrapolatedRate(ts, fs, rangeStart, rangeEnd, range, name != "delta", name == "rate");
                    break;
                case "irate" or "idelta":
                    {
                        if (fs.Length < 2)
                        {
                            continue;
                        }
                        var last = fs[^1];
                        var previous = fs[^2];
                        value = name == "irate" && last < previous ? last : last - previous;
                        var interval = ts[^1] - ts[^2];
                        if (interval == 0)
                        {
                            continue;
                        }
                        if (name == "irate")
                        {
                            value /= interval / 1000.0;
                        }
                        break;
                    }
                case "deriv":
                    if (fs.Length < 2)
                    {
                        continue;
                    }
                    value = LinearRegression(ts, fs, ts[0]).Slope;
                    break;
                case "predict_linear":
                    {
                        if (fs.Length < 2)
                        {
                            continue;
                        }
                        var (slope, intercept) = LinearRegression(ts, fs, t);
                        value = (slope * scalarArg) + intercept;
                        break;
                    }
                case "resets":
                    {
                        var resets = 0;
                        for (var i = 1; i < fs.Length; i++)
                        {
                            if (fs[i] < fs[i - 1])
                            {
                                resets++;
                            }
                        }
                        value = resets;
                        break;
                    }
                case "changes":
                    {
                        var changes = 0;
                        for (var i = 1; i < fs.Length; i++)
                        {
                            if (!(fs[i] == fs[i - 1] || (double.IsNaN(fs[i]) && double.IsNaN(fs[i - 1]))))
                            {
                                changes++;
                            }
                        }
                        value = changes;
                        break;
                    }
                case "avg_over_time":
                    {
                        var mean = default(MathUtil.MeanAccumulator);
                        foreach (var f in fs)
                        {
                            mean.Add(f);
                        }
                        value = mean.Result;
                        break;
                    }
                case "sum_over_time":
                    {
                        double sum = 0, c = 0;
                        foreach (var f in fs)
                        {
                            (sum, c) = MathUtil.KahanSumInc(f, sum, c);
                        }
                        value = double.IsInfinity(sum) ? sum : sum + c;
                        break;
                    }
                case "count_over_time":
                    value = fs.Length;
                    break;
                case "min_over_time" or "max_over_time":
                    {
                        value = fs[0];
                        var max = name == "max_over_time";
                        foreach (var f in fs)
                        {
                            if ((max ? f > value : f < value) || double.IsNaN(value))
                            {
                                value = f;
                            }
                        }
                        break;
                    }
                case "last_over_time":
                    value = fs[^1];
                    break;
                case "first_over_time":
                    value = fs[0];
                    break;
                case "present_over_time":
                    value = 1;
                    break;
                case "stddev_over_time" or "stdvar_over_time":
                    {
                        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
                        foreach (var f in fs)
                        {
                            count++;
                            var delta = f - (mean + cMean);
                            (mean, cMean) = MathUtil.KahanSumInc(delta / count, mean, cMean);
                            (aux, cAux) = MathUtil.KahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
                        }
                        value = (aux + cAux) / count;
                        if (name == "stddev_over_time")
                        {
                            value = Math.Sqrt(value);
                        }
                        break;
                    }
                case "quantile_over_time":
                    value = MathUtil.Quantile(scalarArg, [.. fs]);
                    break;
                default:
                    throw new PromQLException(PromQLErrorType.Execution, $"function \"{name}\" is not supported");
            }
            output.Add(new Sample(series.Metric, value, t, keepName ? series.DropName : true));
        }
        // The matrix was made for this call (selector windows or subquery results are never shared).
        ReturnRanges(matrix);
        return new VectorResult(output);
    }

    private void CheckCounterName(in RangeSeries series, Call call)
    {
        var metricName = series.Metric.Name;
        // Series of one metric share the name string: checked once, not once per series and step.
        if (ReferenceEquals(metricName, _lastCounterName))
        {
            return;
        }
        _lastCounterName = metricName;
        if (metricName.Length == 0 || metricName.EndsWith("_total", StringComparison.Ordinal) || metricName.EndsWith("_sum", StringComparison.Ordinal)
            || metricName.EndsWith("_count", StringComparison.Ordinal) || metricName.EndsWith("_bucket", StringComparison.Ordinal))
        {
            return;
        }
        AddInfo($"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"{metricName}\" ({Where(call.Args[0])})");
    }

    public void AddWarning(string message)
    {
        if (!Warnings.Contains(message))
        {
            Warnings.Add(message);
        }
    }

    private void AddInfo(string message)
    {
        if (!Infos.Contains(message))
        {
            Infos.Add(message);
        }
    }

    /// <summary>rate/increase/delta: the change over the window, extrapolated to its edges (Prometheus' extrapolatedRate).</summary>
    private static double ExtrapolatedRate(ReadOnlySpan<long> ts, ReadOnlySpan<double> fs, long rangeStart, long rangeEnd, long range, bool isCounter, bool isRate)
    {
        var result = fs[^1] - fs[0];
        if (isCounter)
        {
            var previous = fs[0];
            for (var i = 1; i < fs.Length; i++)
            {
                if (fs[i] < previous)
                {
                    result += previous;
                }
                previous = fs[i];
            }
        }
        var durationToStart = (ts[0] - rangeStart) / 1000.0;
        var durationToEnd = (rangeEnd - ts[^1]) / 1000.0;
        var sampledInterval = (ts[^1] - ts[0]) / 1000.0;
        var averageInterval = sampledInterval / (fs.Length - 1);
        var threshold = averageInterval * 1.1;
        if (durationToStart >= threshold)
        {
            durationToStart = averageInterval / 2;
        }
        if (isCounter)
        {
            var durationToZero = durationToStart;
            if (result > 0 && fs[0] >= 0)
            {
                durationToZero = sampledInterval * (fs[0] / result);
            }
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }
        if (durationToEnd >= threshold)
        {
            durationToEnd = averageInterval / 2;
        }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate)
        {
            factor /= range / 1000.0;
        }
        return result * factor;
    }

    private static (double Slope, double Intercept) LinearRegression(ReadOnlySpan<long> ts, ReadOnlySpan<double> fs, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        var initY = fs[0];
        var constY = true;
        for (var i = 0; i < fs.Length; i++)
        {
            if (constY && i > 0 && fs[i] != initY)
            {
                constY = false;
            }
            n++;
            var x = (ts[i] - interceptTime) / 1e3;
            (sumX, cX) = MathUtil.KahanSumInc(x, sumX, cX);
            (sumY, cY) = MathUtil.KahanSumInc(fs[i], sumY, cY);
            (sumXY, cXY) = MathUtil.KahanSumInc(x * fs[i], sumXY, cXY);
            (sumX2, cX2) = MathUtil.KahanSumInc(x * x, sumX2, cX2);
        }
        if (constY)
        {
            return double.IsInfinity(initY) ? (double.NaN, double.NaN) : (0, initY);
        }
        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        var covXY = sumXY - (sumX * sumY / n);
        var varX = sumX2 - (sumX * sumX / n);
        var slope = covXY / varX;
        var intercept = (sumY / n) - (slope * sumX / n);
        return (slope, intercept);
    }

    /// <summary>Labels for absent()/absent_over_time(): the selector's equality matchers, minus the name.</summary>
    private static Labels AbsentLabels(Expr arg)
    {
        var selector = arg switch
        {
            VectorSelector vs => vs,
            MatrixSelector ms => ms.Selector,
            _ => null,
        };
        if (selector is null)
        {
            return Labels.Empty;
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var matcher in selector.Matchers)
        {
            if (matcher.Name == Labels.MetricName)
            {
                continue;
            }
            if (matcher.Type == MatchType.Equal && seen.Add(matcher.Name))
            {
                labels[matcher.Name] = matcher.Value;
            }
            else
            {
                labels.Remove(matcher.Name);
            }
        }
        return Labels.From(labels.Select(kv => new Label(kv.Key, kv.Value)));
    }
}
