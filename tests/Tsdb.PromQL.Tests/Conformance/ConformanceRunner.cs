using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>Runs one eval block of a script against the engine and explains any difference from the expectation.</summary>
internal static partial class ConformanceRunner
{
    private const double Epsilon = 1e-6;

    private static readonly ConcurrentDictionary<string, List<ScriptCommand>> Scripts = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, MemorySeriesSource> Sources = new(StringComparer.Ordinal);

    public static List<ScriptCommand> Load(string path) => Scripts.GetOrAdd(path, p => ScriptParser.Parse(File.ReadAllText(p)));

    /// <summary>The eval at <paramref name="line"/> with the data loaded before it (since the last clear).</summary>
    public static (EvalCommand Eval, MemorySeriesSource Source, HashSet<string> HistogramNames) Prepare(string path, int line)
    {
        var commands = Load(path);
        var loads = new List<LoadCommand>();
        EvalCommand? eval = null;
        foreach (var command in commands)
        {
            if (command.Line == line && command is EvalCommand e)
            {
                eval = e;
                break;
            }
            if (command is ClearCommand)
            {
                loads.Clear();
            }
            else if (command is LoadCommand load)
            {
                loads.Add(load);
            }
        }
        if (eval is null)
        {
            throw new InvalidOperationException($"no eval at {path}:{line}");
        }
        var key = path + "@" + string.Join(",", loads.Select(l => l.Line));
        var source = Sources.GetOrAdd(key, _ => Build(loads));
        var histogramNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var load in loads)
        {
            foreach (var series in load.Series)
            {
                if (series.HasHistogram || load.WithNhcb)
                {
                    // load_with_nhcb keeps the classic _bucket floats and adds a native histogram under the base name.
                    var name = series.Labels.Name;
                    histogramNames.Add(load.WithNhcb && name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^"_bucket".Length] : name);
                }
            }
        }
        return (eval, source, histogramNames);
    }

    private static MemorySeriesSource Build(List<LoadCommand> loads)
    {
        var source = new MemorySeriesSource();
        foreach (var load in loads)
        {
            foreach (var series in load.Series)
            {
                for (var i = 0; i < series.Values.Count; i++)
                {
                    if (series.Values[i] is { } value)
                    {
                        source.Add(series.Labels, i * load.IntervalMs, value);
                    }
                    else if (series.Histograms[i] is { } histogram)
                    {
                        source.Add(series.Labels, i * load.IntervalMs, histogram);
                    }
                }
            }
            if (load.WithNhcb)
            {
                foreach (var (labels, t, histogram) in ClassicToNative.Convert(load))
                {
                    source.Add(labels, t, histogram);
                }
            }
        }
        return source;
    }

    /// <summary>Null when the engine's answer matches the expectation, else what differs.</summary>
    public static async Task<string?> RunAsync(EvalCommand eval, MemorySeriesSource source)
    {
        // Experimental functions on, as Prometheus' test engine has them (promqltest.TestParserOpts).
        var engine = new PromQLEngine(source, new PromQLEngineOptions { MaxSamples = 50_000_000, EnableExperimentalFunctions = true });
        PromQLResult result;
        try
        {
            result = eval.IsRange
                ? await engine.RangeQueryAsync(eval.Query, eval.StartMs, eval.EndMs, eval.StepMs, CancellationToken.None)
                : await engine.InstantQueryAsync(eval.Query, eval.StartMs, CancellationToken.None);
        }
        catch (PromQLException e)
        {
            if (!eval.ExpectFail)
            {
                return $"unexpected error: {e.Message}";
            }
            if (eval.FailMessage is not null && eval.FailMessage != e.Message)
            {
                return $"expected error message \"{eval.FailMessage}\", got \"{e.Message}\"";
            }
            if (eval.FailRegex is not null && !Regex.IsMatch(e.Message, eval.FailRegex))
            {
                return $"expected error matching /{eval.FailRegex}/, got \"{e.Message}\"";
            }
            return null;
        }
        if (eval.ExpectFail)
        {
            return $"expected an error, got {Describe(result.Value)}";
        }
        var annotations = CheckAnnotations(eval, result);
        if (annotations is not null)
        {
            return annotations;
        }
        var failure = Compare(eval, result.Value);
        if (failure is not null || eval.IsRange || eval.Ordered || result.Value is not (VectorValue or ScalarValue)
            || QueryContextFunctions().IsMatch(eval.Query))
        {
            // start(), end(), step() and range() answer differently in range mode; Prometheus' runner skips them too.
            return failure;
        }
        // As Prometheus' runner does: the same query in range mode, [t-1m, t+1m] every 1m, must give the same answer
        // at the middle step.
        var range = await engine.RangeQueryAsync(eval.Query, eval.StartMs - 60_000, eval.StartMs + 60_000, 60_000, CancellationToken.None);
        var middle = new List<VectorSample>();
        foreach (var series in ((MatrixValue)range.Value).Series)
        {
            foreach (var point in series.Points)
            {
                if (point.TimestampMs == eval.StartMs)
                {
                    middle.Add(new VectorSample(series.Labels, point.TimestampMs, point.Value));
                }
            }
            foreach (var point in series.Histograms)
            {
                if (point.TimestampMs == eval.StartMs)
                {
                    middle.Add(new VectorSample(series.Labels, point.TimestampMs, 0) { Histogram = point.Histogram });
                }
            }
        }
        PromQLValue asInstant = result.Value is ScalarValue && middle.Count > 0 ? new ScalarValue(eval.StartMs, middle[0].Value) : new VectorValue(middle);
        var rangeFailure = Compare(eval, asInstant);
        return rangeFailure is null ? null : "in range mode: " + rangeFailure;
    }

    [GeneratedRegex(@"\b(range|step|start|end)\(\)")]
    private static partial Regex QueryContextFunctions();

    private static string? CheckAnnotations(EvalCommand eval, PromQLResult result)
    {
        if (eval.ExpectWarn == true && (result.Warnings.Count == 0 || (eval.WarnMessage is not null && !result.Warnings.Contains(eval.WarnMessage))))
        {
            return $"expected warning {eval.WarnMessage ?? ""}, got [{string.Join("; ", result.Warnings)}]";
        }
        if (eval.ExpectWarn == false && result.Warnings.Count > 0)
        {
            return $"expected no warnings, got [{string.Join("; ", result.Warnings)}]";
        }
        if (eval.ExpectInfo == true && (result.Infos.Count == 0 || (eval.InfoMessage is not null && !result.Infos.Contains(eval.InfoMessage))))
        {
            return $"expected info {eval.InfoMessage ?? ""}, got [{string.Join("; ", result.Infos)}]";
        }
        if (eval.ExpectInfo == false && result.Infos.Count > 0)
        {
            return $"expected no infos, got [{string.Join("; ", result.Infos)}]";
        }
        return null;
    }

    private static string? Compare(EvalCommand eval, PromQLValue value)
    {
        if (eval.ExpectString is not null)
        {
            return value is StringValue s && s.Value == eval.ExpectString ? null : $"expected string \"{eval.ExpectString}\", got {Describe(value)}";
        }
        if (eval.ExpectedScalar is { } expectedScalar)
        {
            return value is ScalarValue sv && AlmostEqual(expectedScalar, sv.Value) ? null : $"expected scalar {Format(expectedScalar)}, got {Describe(value)}";
        }
        if (eval.IsRange || eval.ExpectRangeVector is not null)
        {
            if (value is not MatrixValue matrix)
            {
                return $"expected a matrix, got {Describe(value)}";
            }
            var (start, step) = eval.ExpectRangeVector is { } rv ? (rv.Start, rv.Step) : (eval.StartMs, eval.StepMs);
            return CompareMatrix(eval, matrix, start, step);
        }
        if (value is ScalarValue scalarValue && eval.ExpectedSeries.Count == 0)
        {
            return $"expected an empty vector, got scalar {Format(scalarValue.Value)}";
        }
        if (value is not VectorValue vector)
        {
            return $"expected a vector, got {Describe(value)}";
        }
        if (vector.Samples.Count != eval.ExpectedSeries.Count)
        {
            return $"expected {eval.ExpectedSeries.Count} samples, got {vector.Samples.Count}: {Describe(value)}";
        }
        for (var i = 0; i < eval.ExpectedSeries.Count; i++)
        {
            var expected = eval.ExpectedSeries[i];
            var index = eval.Ordered ? i : vector.Samples.ToList().FindIndex(s => s.Labels.Equals(expected.Labels));
            if (index < 0 || !vector.Samples[index].Labels.Equals(expected.Labels))
            {
                return $"expected series {expected.Labels}{(eval.Ordered ? $" at position {i}" : "")}, got {Describe(value)}";
            }
            if (expected.Values.Count != 1 || !expected.HasSample(0))
            {
                return $"malformed expectation for {expected.Labels}";
            }
            var actualSample = vector.Samples[index];
            if (expected.Histograms[0] is { } wantHistogram)
            {
                if (actualSample.Histogram is null)
                {
                    return $"for {expected.Labels} expected {HistogramNotation.Format(wantHistogram)}, got float {Format(actualSample.Value)}";
                }
                if (!HistogramNotation.Matches(wantHistogram, actualSample.Histogram))
                {
                    return $"for {expected.Labels} expected {HistogramNotation.Format(wantHistogram)}, got {HistogramNotation.Format(actualSample.Histogram)}";
                }
                continue;
            }
            if (actualSample.Histogram is not null)
            {
                return $"for {expected.Labels} expected a float, got {HistogramNotation.Format(actualSample.Histogram)}";
            }
            var want = expected.Values[0]!.Value;
            if (!AlmostEqual(want, vector.Samples[index].Value))
            {
                return $"for {expected.Labels} expected {Format(want)}, got {Format(vector.Samples[index].Value)}";
            }
        }
        return null;
    }

    private static string? CompareMatrix(EvalCommand eval, MatrixValue matrix, long start, long step)
    {
        var expectedSeries = eval.ExpectedSeries.Where(s => Enumerable.Range(0, s.Values.Count).Any(s.HasSample)).ToList();
        if (matrix.Series.Count != expectedSeries.Count)
        {
            return $"expected {expectedSeries.Count} series, got {matrix.Series.Count}: {Describe(matrix)}";
        }
        foreach (var expected in expectedSeries)
        {
            var actual = matrix.Series.FirstOrDefault(s => s.Labels.Equals(expected.Labels));
            if (actual is null)
            {
                return $"expected series {expected.Labels}, got {Describe(matrix)}";
            }
            var wantPoints = new List<Point>();
            var wantHistograms = new List<HistogramPoint>();
            for (var i = 0; i < expected.Values.Count; i++)
            {
                if (expected.Values[i] is { } v)
                {
                    wantPoints.Add(new Point(start + (i * step), v));
                }
                else if (expected.Histograms[i] is { } h)
                {
                    wantHistograms.Add(new HistogramPoint(start + (i * step), h));
                }
            }
            if (wantHistograms.Count != actual.Histograms.Count)
            {
                return $"for {expected.Labels} expected {wantHistograms.Count} histogram points, got {actual.Histograms.Count}: [{FormatHistogramPoints(actual.Histograms)}]";
            }
            for (var i = 0; i < wantHistograms.Count; i++)
            {
                if (wantHistograms[i].TimestampMs != actual.Histograms[i].TimestampMs || !HistogramNotation.Matches(wantHistograms[i].Histogram, actual.Histograms[i].Histogram))
                {
                    return $"for {expected.Labels} expected histograms [{FormatHistogramPoints(wantHistograms)}], got [{FormatHistogramPoints(actual.Histograms)}]";
                }
            }
            if (wantPoints.Count != actual.Points.Count)
            {
                return $"for {expected.Labels} expected points [{FormatPoints(wantPoints)}], got [{FormatPoints(actual.Points)}]";
            }
            for (var i = 0; i < wantPoints.Count; i++)
            {
                if (wantPoints[i].TimestampMs != actual.Points[i].TimestampMs || !AlmostEqual(wantPoints[i].Value, actual.Points[i].Value))
                {
                    return $"for {expected.Labels} expected points [{FormatPoints(wantPoints)}], got [{FormatPoints(actual.Points)}]";
                }
            }
        }
        return null;
    }

    /// <summary>Prometheus' almost.Equal with the test engine's epsilon; NaN equals NaN.</summary>
    public static bool AlmostEqual(double a, double b)
    {
        const double minNormal = 2.2250738585072014E-308;
        if (double.IsNaN(a) && double.IsNaN(b))
        {
            return true;
        }
        if (a == b)
        {
            return true;
        }
        var absSum = Math.Abs(a) + Math.Abs(b);
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < minNormal)
        {
            return diff < Epsilon * minNormal;
        }
        return diff / Math.Min(absSum, double.MaxValue) < Epsilon;
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatHistogramPoints(IEnumerable<HistogramPoint> points) =>
        string.Join(" ", points.Select(p => $"{p.TimestampMs / 1000.0}s:{HistogramNotation.Format(p.Histogram)}"));

    private static string FormatPoints(IEnumerable<Point> points) =>
        string.Join(" ", points.Select(p => $"{p.TimestampMs / 1000.0}s:{Format(p.Value)}"));

    private static string Describe(PromQLValue value)
    {
        var builder = new StringBuilder();
        switch (value)
        {
            case ScalarValue s:
                builder.Append("scalar ").Append(Format(s.Value));
                break;
            case StringValue s:
                builder.Append("string \"").Append(s.Value).Append('"');
                break;
            case VectorValue v:
                builder.Append("vector [");
                builder.AppendJoin(", ", v.Samples.Take(20).Select(s => $"{s.Labels} {(s.Histogram is { } h ? HistogramNotation.Format(h) : Format(s.Value))}"));
                builder.Append(']');
                break;
            case MatrixValue m:
                builder.Append("matrix [");
                builder.AppendJoin(", ", m.Series.Take(20).Select(s => $"{s.Labels} [{FormatPoints(s.Points)}{(s.Histograms.Count > 0 ? " " + FormatHistogramPoints(s.Histograms) : "")}]"));
                builder.Append(']');
                break;
            default:
                break;
        }
        return builder.ToString();
    }
}
