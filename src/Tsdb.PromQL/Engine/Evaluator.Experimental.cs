using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

/// <summary>
/// The functions Prometheus keeps behind <c>--enable-feature=promql-experimental-functions</c> (the parser admits them
/// only when <see cref="PromQLEngineOptions.EnableExperimentalFunctions"/> is on). Kept apart from the stable
/// functions so that each can change without touching the other.
/// </summary>
internal sealed partial class Evaluator
{
    /// <summary>The range query's step (0 for an instant query): what <c>step()</c> returns.</summary>
    internal long QueryStepMs { get; init; }

    private EvalValue EvalExperimental(Call call, long t)
    {
        switch (call.Function.Name)
        {
            // The query's own parameters, the same at every step and inside subqueries (seconds, as time()).
            case "start":
                return new ScalarResult(_queryStart / 1000.0);
            case "end":
                return new ScalarResult(_queryEnd / 1000.0);
            case "step":
                return new ScalarResult(QueryStepMs / 1000.0);
            case "range":
                return new ScalarResult((_queryEnd - _queryStart) / 1000.0);
            case "min_of":
                return new ScalarResult(GoMin(ScalarArg(call, 0, t), ScalarArg(call, 1, t)));
            case "max_of":
                return new ScalarResult(GoMax(ScalarArg(call, 0, t), ScalarArg(call, 1, t)));
            case "sort_by_label" or "sort_by_label_desc":
                return new VectorResult(SortByLabel(call, t, call.Function.Name == "sort_by_label_desc"));
            case "histogram_quantiles":
                return new VectorResult(HistogramQuantiles(call, t));
            case "double_exponential_smoothing":
                return DoubleExponentialSmoothing(call, t);
            case "mad_over_time" or "ts_of_min_over_time" or "ts_of_max_over_time" or "ts_of_first_over_time" or "ts_of_last_over_time":
                return ExperimentalOverTime(call, t);
            default:
                throw new PromQLException(PromQLErrorType.Execution, $"function \"{call.Function.Name}\" is not supported");
        }
    }

    /// <summary>Go's math.Min: -Inf wins over NaN, then NaN wins over any number.</summary>
    internal static double GoMin(double a, double b) =>
        double.IsNegativeInfinity(a) || double.IsNegativeInfinity(b) ? double.NegativeInfinity
        : double.IsNaN(a) || double.IsNaN(b) ? double.NaN
        : Math.Min(a, b);

    /// <summary>Go's math.Max: +Inf wins over NaN, then NaN wins over any number.</summary>
    internal static double GoMax(double a, double b) =>
        double.IsPositiveInfinity(a) || double.IsPositiveInfinity(b) ? double.PositiveInfinity
        : double.IsNaN(a) || double.IsNaN(b) ? double.NaN
        : Math.Max(a, b);

    /// <summary>
    /// sort_by_label(v, "a", "b", …): by each named label in natural order (numbers in a value compare as numbers:
    /// cpu 2 before cpu 10), then by the whole label set so the order is total; _desc reverses both.
    /// </summary>
    private List<Sample> SortByLabel(Call call, long t, bool descending)
    {
        var input = VectorArg(call, 0, t);
        var names = new string[call.Args.Count - 1];
        for (var i = 1; i < call.Args.Count; i++)
        {
            names[i - 1] = ((StringResult)Eval(call.Args[i], t)).Value;
        }
        var output = new List<Sample>(input);
        output.Sort((a, b) =>
        {
            var c = 0;
            foreach (var name in names)
            {
                c = NaturalOrder.Compare(a.Metric.Get(name), b.Metric.Get(name));
                if (c != 0)
                {
                    break;
                }
            }
            if (c == 0)
            {
                c = Labels.Compare(a.Metric, b.Metric);
            }
            return descending ? -c : c;
        });
        return output;
    }

    /// <summary>
    /// histogram_quantiles(v, "label", q1, …): histogram_quantile for each φ over the same input, each result marked
    /// with <c>label="φ"</c>. The input is evaluated once and handed to histogram_quantile as is, so both functions
    /// share every rule (bucket checks, warnings, native histograms).
    /// </summary>
    private List<Sample> HistogramQuantiles(Call call, long t)
    {
        var label = ((StringResult)Eval(call.Args[1], t)).Value;
        if (!LabelSets.IsValidLabelName(label) || label == Labels.MetricName)
        {
            throw new PromQLException(PromQLErrorType.Execution, $"invalid quantile label name in histogram_quantiles(): {label}");
        }
        var input = VectorArg(call, 0, t);
        Functions.TryGet("histogram_quantile", out var single);
        var output = new List<Sample>();
        for (var i = 2; i < call.Args.Count; i++)
        {
            var q = ScalarArg(call, i, t);
            // Positions are the real arguments', so warnings point where Prometheus points.
            var one = new Call(call.Position, single, [new NumberLiteral(call.Args[i].Position, q), new EvaluatedVector(call.Args[0].Position, [.. input])]);
            var value = FormatQuantileLabel(q);
            foreach (var sample in ((VectorResult)EvalCall(one, t)).Samples)
            {
                output.Add(sample with { Metric = LabelSets.Set(sample.Metric, label, value) });
            }
        }
        CheckUnique(output);
        return output;
    }

    /// <summary>A φ as the label value: OpenMetrics style, whole numbers with ".0" (0.0, 0.25, 1.0), as Prometheus writes it.</summary>
    internal static string FormatQuantileLabel(double q)
    {
        var text = MathUtil.FormatFloat(q);
        return double.IsFinite(q) && text.IndexOfAny(['.', 'e', 'E']) < 0 ? text + ".0" : text;
    }

    /// <summary>
    /// Holt's linear (double exponential) smoothing of each series' samples in the window, with smoothing factor sf
    /// and trend factor tf, both strictly between 0 and 1; a series with fewer than two samples gives nothing.
    /// </summary>
    private VectorResult DoubleExponentialSmoothing(Call call, long t)
    {
        var matrix = ((MatrixResult)Eval(call.Args[0], t)).Series;
        var sf = ScalarArg(call, 1, t);
        var tf = ScalarArg(call, 2, t);
        if (!(sf > 0 && sf < 1))
        {
            throw new PromQLException(PromQLErrorType.Execution, $"invalid smoothing factor. Expected: 0 < sf < 1, got: {FormatGoF(sf)}");
        }
        if (!(tf > 0 && tf < 1))
        {
            throw new PromQLException(PromQLErrorType.Execution, $"invalid trend factor. Expected: 0 < tf < 1, got: {FormatGoF(tf)}");
        }
        var output = RentSamples(matrix.Count);
        foreach (var series in matrix)
        {
            var fs = series.F;
            if (series.MayHaveHistograms && CountHistograms(series) is var histograms and > 0)
            {
                if (histograms == series.Count)
                {
                    continue;
                }
                AddIgnoredHistogramsInfo(series, call.Args[0]);
                fs = FloatsOnly(series).F;
            }
            if (fs.Length < 2)
            {
                continue;
            }
            double previous = 0;
            var smoothed = fs[0];
            var trend = fs[1] - fs[0];
            for (var i = 1; i < fs.Length; i++)
            {
                // The first step keeps the initial trend; later ones blend the last change of the smoothed value in.
                if (i > 1)
                {
                    trend = (tf * (smoothed - previous)) + ((1 - tf) * trend);
                }
                previous = smoothed;
                smoothed = (sf * fs[i]) + ((1 - sf) * (smoothed + trend));
            }
            output.Add(new Sample(series.Metric, smoothed, t, true));
        }
        ReturnRanges(matrix);
        return new VectorResult(output);
    }

    /// <summary>Go's %f: six decimals.</summary>
    private static string FormatGoF(double f) =>
        double.IsNaN(f) ? "NaN" : double.IsPositiveInfinity(f) ? "+Inf" : double.IsNegativeInfinity(f) ? "-Inf"
        : f.ToString("F6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>mad_over_time and the ts_of_*_over_time family: one value per series from its window's samples.</summary>
    private VectorResult ExperimentalOverTime(Call call, long t)
    {
        var name = call.Function.Name;
        var matrix = ((MatrixResult)Eval(call.Args[0], t)).Series;
        var output = RentSamples(matrix.Count);
        foreach (var series in matrix)
        {
            var ts = series.T;
            var fs = series.F;
            // The timestamps of the first and last sample count histograms too; the value-based ones read floats only.
            if (name is not ("ts_of_first_over_time" or "ts_of_last_over_time") && series.MayHaveHistograms && CountHistograms(series) is var histograms and > 0)
            {
                if (histograms == series.Count)
                {
                    continue;
                }
                AddIgnoredHistogramsInfo(series, call.Args[0]);
                var floats = FloatsOnly(series);
                ts = floats.T;
                fs = floats.F;
            }
            if (fs.Length == 0)
            {
                continue;
            }
            var value = name switch
            {
                "mad_over_time" => MedianAbsoluteDeviation(fs),
                "ts_of_first_over_time" => ts[0] / 1000.0,
                "ts_of_last_over_time" => ts[^1] / 1000.0,
                _ => TimestampOfExtreme(ts, fs, name == "ts_of_max_over_time"),
            };
            output.Add(new Sample(series.Metric, value, t, true));
        }
        ReturnRanges(matrix);
        return new VectorResult(output);
    }

    /// <summary>The median of the samples' distances from their median; NaN when any sample is NaN.</summary>
    internal static double MedianAbsoluteDeviation(ReadOnlySpan<double> fs)
    {
        var values = new List<double>(fs.Length);
        foreach (var f in fs)
        {
            if (double.IsNaN(f))
            {
                return double.NaN;
            }
            values.Add(f);
        }
        var median = MathUtil.Quantile(0.5, values);
        for (var i = 0; i < values.Count; i++)
        {
            values[i] = Math.Abs(values[i] - median);
        }
        return MathUtil.Quantile(0.5, values);
    }

    /// <summary>
    /// When (in seconds) the window's largest or smallest sample was taken; on a tie the latest such sample, and NaN
    /// samples lose to any number (Prometheus' comparison, >= / &lt;=).
    /// </summary>
    internal static double TimestampOfExtreme(ReadOnlySpan<long> ts, ReadOnlySpan<double> fs, bool max)
    {
        var best = fs[0];
        var at = ts[0];
        for (var i = 0; i < fs.Length; i++)
        {
            var f = fs[i];
            if ((max ? f >= best : f <= best) || double.IsNaN(best))
            {
                best = f;
                at = ts[i];
            }
        }
        return at / 1000.0;
    }
}
