using Tsdb.PromQL.Ast;
using Tsdb.PromQL.Parsing;

namespace Tsdb.PromQL.Engine;

/// <summary>Parses, loads and evaluates one query, then shapes the result the way the HTTP API returns it.</summary>
internal static class QueryRunner
{
    public static async Task<PromQLResult> RunAsync(PromQLEngine engine, string query, long start, long end, long step, bool instant, CancellationToken cancellationToken)
    {
        var options = engine.Options;
        var expr = Parser.ParseExpr(query, options.EnableExperimentalFunctions);
        if (!instant)
        {
            if (step <= 0)
            {
                throw new PromQLException(PromQLErrorType.BadData, "zero or negative query resolution step widths are not accepted. Try a positive integer");
            }
            if (end < start)
            {
                throw new PromQLException(PromQLErrorType.BadData, "end timestamp must not be before start time");
            }
            if (((end - start) / step) + 1 > options.MaxPointsPerSeries)
            {
                throw new PromQLException(PromQLErrorType.BadData,
                    $"exceeded maximum resolution of {options.MaxPointsPerSeries:N0} points per timeseries. Try decreasing the query resolution (?step=XX)");
            }
            if (expr.Type is not (ExprType.Scalar or ExprType.Vector))
            {
                throw new PromQLException(PromQLErrorType.BadData,
                    $"invalid expression type \"{expr.Type.Describe()}\" for range query, must be Scalar or instant Vector");
            }
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var evaluator = new Evaluator(query, options, start, end, timeout.Token) { QueryStepMs = instant ? 0 : step };
        if (!instant)
        {
            WarnAboutSort(evaluator, expr);
        }
        try
        {
            await evaluator.LoadAsync(engine.Source, expr).ConfigureAwait(false);
            var value = instant ? EvaluateInstant(evaluator, expr, start) : EvaluateRange(evaluator, expr, start, end, step);
            return new PromQLResult(value, [.. evaluator.Warnings]) { Infos = [.. evaluator.Infos] };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PromQLException(PromQLErrorType.Timeout, "query timed out in expression evaluation");
        }
        catch (OperationCanceledException)
        {
            throw new PromQLException(PromQLErrorType.Canceled, "query was canceled in expression evaluation");
        }
    }

    /// <summary>Range results are always ordered by labels, so a sort anywhere in a range query does nothing.</summary>
    private static void WarnAboutSort(Evaluator evaluator, Expr expr)
    {
        Evaluator.EnsureStack();
        switch (expr)
        {
            case Call call:
                if (call.Function.Name is "sort" or "sort_desc" or "sort_by_label" or "sort_by_label_desc")
                {
                    evaluator.AddWarning($"PromQL warning: sort is ineffective for range queries since results are always ordered by labels ({evaluator.Where(call)})");
                }
                foreach (var arg in call.Args)
                {
                    WarnAboutSort(evaluator, arg);
                }
                break;
            case ParenExpr p:
                WarnAboutSort(evaluator, p.Inner);
                break;
            case UnaryExpr u:
                WarnAboutSort(evaluator, u.Operand);
                break;
            case BinaryExpr b:
                WarnAboutSort(evaluator, b.Lhs);
                WarnAboutSort(evaluator, b.Rhs);
                break;
            case AggregateExpr a:
                WarnAboutSort(evaluator, a.Inner);
                break;
            case SubqueryExpr s:
                WarnAboutSort(evaluator, s.Inner);
                break;
            default:
                break;
        }
    }

    private static PromQLValue EvaluateInstant(Evaluator evaluator, Expr expr, long t)
    {
        evaluator.BeginStep();
        var value = evaluator.Eval(expr, t);
        switch (value)
        {
            case ScalarResult s:
                return new ScalarValue(t, s.Value);
            case StringResult s:
                return new StringValue(t, s.Value);
            case VectorResult v:
                {
                    var samples = new List<VectorSample>(v.Samples.Count);
                    var seen = new HashSet<Labels>();
                    foreach (var sample in v.Samples)
                    {
                        var labels = sample.DropName ? LabelSets.DropName(sample.Metric) : sample.Metric;
                        if (!seen.Add(labels))
                        {
                            throw Evaluator.DuplicateLabelset();
                        }
                        samples.Add(sample.H is { } h ? new VectorSample(labels, t, 0) { Histogram = h } : new VectorSample(labels, t, sample.F));
                    }
                    return new VectorValue(samples);
                }
            default:
                {
                    var m = (MatrixResult)value;
                    var series = new List<MatrixSeries>(m.Series.Count);
                    var seen = new HashSet<Labels>();
                    foreach (var s in m.Series)
                    {
                        var labels = s.DropName ? LabelSets.DropName(s.Metric) : s.Metric;
                        if (!seen.Add(labels))
                        {
                            throw Evaluator.DuplicateLabelset();
                        }
                        var points = new List<Point>(s.Count);
                        var histograms = new List<HistogramPoint>();
                        var ts = s.T;
                        var fs = s.F;
                        var hs = s.H;
                        for (var i = 0; i < ts.Length; i++)
                        {
                            if (s.MayHaveHistograms && hs[i] is { } h)
                            {
                                histograms.Add(new HistogramPoint(ts[i], h));
                            }
                            else
                            {
                                points.Add(new Point(ts[i], fs[i]));
                            }
                        }
                        series.Add(new MatrixSeries(labels, points) { Histograms = histograms });
                    }
                    return new MatrixValue(series);
                }
        }
    }

    private static MatrixValue EvaluateRange(Evaluator evaluator, Expr expr, long start, long end, long step)
    {
        var collected = new Dictionary<Labels, (List<Point> Floats, List<HistogramPoint>? Histograms)>();
        for (var t = start; t <= end; t += step)
        {
            evaluator.BeginStep();
            var value = evaluator.Eval(expr, t);
            if (value is ScalarResult s)
            {
                Add(collected, Labels.Empty, t, s.Value, null);
                continue;
            }
            var samples = ((VectorResult)value).Samples;
            foreach (var sample in samples)
            {
                Add(collected, sample.DropName ? LabelSets.DropName(sample.Metric) : sample.Metric, t, sample.F, sample.H);
            }
            evaluator.ReturnSamples(samples);
        }
        var series = new List<MatrixSeries>(collected.Count);
        foreach (var (labels, points) in collected)
        {
            series.Add(new MatrixSeries(labels, points.Floats) { Histograms = points.Histograms ?? [] });
        }
        series.Sort(static (a, b) => LabelSets.Compare(a.Labels, b.Labels));
        return new MatrixValue(series);
    }

    private static void Add(Dictionary<Labels, (List<Point> Floats, List<HistogramPoint>? Histograms)> collected, Labels labels, long t, double value, FloatHistogram? histogram)
    {
        if (!collected.TryGetValue(labels, out var points))
        {
            points = ([], null);
        }
        else if ((points.Floats.Count > 0 && points.Floats[^1].TimestampMs == t) || (points.Histograms is { Count: > 0 } && points.Histograms[^1].TimestampMs == t))
        {
            throw Evaluator.DuplicateLabelset();
        }
        if (histogram is not null)
        {
            points.Histograms ??= [];
            points.Histograms.Add(new HistogramPoint(t, histogram));
        }
        else
        {
            points.Floats.Add(new Point(t, value));
        }
        collected[labels] = points;
    }
}
