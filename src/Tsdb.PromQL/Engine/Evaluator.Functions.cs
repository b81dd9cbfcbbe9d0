using System.Text;
using System.Text.RegularExpressions;
using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Engine;

internal sealed partial class Evaluator
{
    private EvalValue EvalCall(Call call, long t)
    {
        var name = call.Function.Name;
        if (Functions.IsExperimental(name))
        {
            return EvalExperimental(call, t);
        }
        if (call.Function.ArgTypes.Contains(ExprType.Matrix))
        {
            return EvalRangeFunction(call, t);
        }
        switch (name)
        {
            case "time":
                return new ScalarResult(t / 1000.0);
            case "pi":
                return new ScalarResult(Math.PI);
            case "vector":
                return new VectorResult([new Sample(Labels.Empty, ((ScalarResult)Eval(call.Args[0], t)).Value, t, false)]);
            case "scalar":
                {
                    // Histogram samples do not count: one float among them is still a scalar.
                    var v = VectorArg(call, 0, t);
                    double value = double.NaN;
                    var floats = 0;
                    foreach (var sample in v)
                    {
                        if (sample.H is null)
                        {
                            value = sample.F;
                            floats++;
                        }
                    }
                    return new ScalarResult(floats == 1 ? value : double.NaN);
                }
            case "absent":
                return new VectorResult(VectorArg(call, 0, t).Count > 0 ? [] : [new Sample(AbsentLabels(call.Args[0]), 1, t, false)]);
            case "sort" or "sort_desc":
                return new VectorResult(Sort(VectorArg(call, 0, t), name == "sort_desc"));
            case "timestamp":
                {
                    var input = VectorArg(call, 0, t);
                    var output = new List<Sample>(input.Count);
                    foreach (var sample in input)
                    {
                        output.Add(new Sample(sample.Metric, sample.T / 1000.0, t, true));
                    }
                    return new VectorResult(output);
                }
            case "label_replace":
                return new VectorResult(LabelReplace(call, t));
            case "label_join":
                return new VectorResult(LabelJoin(call, t));
            case "histogram_quantile":
                return new VectorResult(HistogramQuantile(call, t));
            case "histogram_fraction":
                return new VectorResult(HistogramFraction(call, t));
            case "histogram_count" or "histogram_sum" or "histogram_avg" or "histogram_stddev" or "histogram_stdvar":
                return new VectorResult(HistogramStatistic(call, t));
            case "clamp":
                {
                    var v = VectorArg(call, 0, t);
                    var min = ScalarArg(call, 1, t);
                    var max = ScalarArg(call, 2, t);
                    if (max < min)
                    {
                        return new VectorResult([]);
                    }
                    return Map(v, t, s => Math.Max(min, Math.Min(max, s.F)));
                }
            case "clamp_min":
                {
                    var v = VectorArg(call, 0, t);
                    var min = ScalarArg(call, 1, t);
                    return Map(v, t, s => Math.Max(min, s.F));
                }
            case "clamp_max":
                {
                    var v = VectorArg(call, 0, t);
                    var max = ScalarArg(call, 1, t);
                    return Map(v, t, s => Math.Min(max, s.F));
                }
            case "round":
                {
                    var v = VectorArg(call, 0, t);
                    var toNearest = call.Args.Count > 1 ? ScalarArg(call, 1, t) : 1;
                    var inverse = 1.0 / toNearest;
                    return Map(v, t, s => Math.Floor((s.F * inverse) + 0.5) / inverse);
                }
            case "day_of_month" or "day_of_week" or "day_of_year" or "days_in_month" or "hour" or "minute" or "month" or "year":
                return DateFunction(call, t);
            default:
                break;
        }
        Func<double, double> f = name switch
        {
            "abs" => Math.Abs,
            "ceil" => Math.Ceiling,
            "floor" => Math.Floor,
            "exp" => Math.Exp,
            "ln" => Math.Log,
            "log2" => Math.Log2,
            "log10" => Math.Log10,
            "sqrt" => Math.Sqrt,
            "sgn" => static x => double.IsNaN(x) ? x : Math.Sign(x),
            "deg" => static x => x * 180 / Math.PI,
            "rad" => static x => x * Math.PI / 180,
            "sin" => Math.Sin,
            "cos" => Math.Cos,
            "tan" => Math.Tan,
            "asin" => Math.Asin,
            "acos" => Math.Acos,
            "atan" => Math.Atan,
            "sinh" => Math.Sinh,
            "cosh" => Math.Cosh,
            "tanh" => Math.Tanh,
            "asinh" => Math.Asinh,
            "acosh" => Math.Acosh,
            "atanh" => Math.Atanh,
            _ => throw new PromQLException(PromQLErrorType.Execution, $"function \"{name}\" is not supported"),
        };
        return Map(VectorArg(call, 0, t), t, s => f(s.F));
    }

    private List<Sample> VectorArg(Call call, int index, long t) => ((VectorResult)Eval(call.Args[index], t)).Samples;

    private double ScalarArg(Call call, int index, long t) => ((ScalarResult)Eval(call.Args[index], t)).Value;

    /// <summary>A float function over a vector: histogram samples are left out, as Prometheus' simple functions do.</summary>
    private static VectorResult Map(List<Sample> input, long t, Func<Sample, double> f)
    {
        var output = new List<Sample>(input.Count);
        foreach (var sample in input)
        {
            if (sample.H is null)
            {
                output.Add(new Sample(sample.Metric, f(sample), t, true));
            }
        }
        return new VectorResult(output);
    }

    private static List<Sample> Sort(List<Sample> input, bool descending)
    {
        // Histograms have no order: sort and sort_desc leave them out.
        var indexed = input.Where(s => s.H is null).Select((s, i) => (s, i)).ToList();
        indexed.Sort((a, b) =>
        {
            var x = a.s.F;
            var y = b.s.F;
            int c;
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                // NaN sorts last either way.
                c = double.IsNaN(x) == double.IsNaN(y) ? 0 : double.IsNaN(x) ? 1 : -1;
            }
            else
            {
                c = descending ? y.CompareTo(x) : x.CompareTo(y);
            }
            return c != 0 ? c : a.i.CompareTo(b.i);
        });
        return indexed.ConvertAll(p => p.s);
    }

    private VectorResult DateFunction(Call call, long t)
    {
        var input = call.Args.Count == 0 ? [new Sample(Labels.Empty, t / 1000.0, t, false)] : VectorArg(call, 0, t);
        var name = call.Function.Name;
        var output = new List<Sample>(input.Count);
        foreach (var sample in input)
        {
            if (sample.H is not null)
            {
                continue;
            }
            var f = sample.F;
            double value;
            if (double.IsNaN(f) || double.IsInfinity(f))
            {
                value = double.NaN;
            }
            else
            {
                var time = DateTime.UnixEpoch.AddSeconds(Math.Truncate(f));
                value = name switch
                {
                    "day_of_month" => time.Day,
                    "day_of_week" => (int)time.DayOfWeek,
                    "day_of_year" => time.DayOfYear,
                    "days_in_month" => DateTime.DaysInMonth(time.Year, time.Month),
                    "hour" => time.Hour,
                    "minute" => time.Minute,
                    "month" => time.Month,
                    _ => time.Year,
                };
            }
            output.Add(new Sample(sample.Metric, value, t, true));
        }
        return new VectorResult(output);
    }

    private List<Sample> LabelReplace(Call call, long t)
    {
        var input = VectorArg(call, 0, t);
        var dst = ((StringResult)Eval(call.Args[1], t)).Value;
        var replacement = ((StringResult)Eval(call.Args[2], t)).Value;
        var src = ((StringResult)Eval(call.Args[3], t)).Value;
        var pattern = ((StringResult)Eval(call.Args[4], t)).Value;
        Regex regex;
        try
        {
            regex = Matchers.Compile(pattern);
        }
        catch (ArgumentException e)
        {
            // Execution, as Prometheus fails it while evaluating; Compile's message is about the pattern as written.
            throw new PromQLException(PromQLErrorType.Execution, $"invalid regular expression in label_replace(): {pattern}: {e.Message}");
        }
        if (!LabelSets.IsValidLabelName(dst))
        {
            throw new PromQLException(PromQLErrorType.Execution, $"invalid destination label name in label_replace(): {dst}");
        }
        var output = new List<Sample>(input.Count);
        foreach (var sample in input)
        {
            var match = regex.Match(sample.Metric.Get(src));
            if (!match.Success)
            {
                output.Add(sample with { T = t });
                continue;
            }
            var value = Expand(replacement, match, regex);
            var metric = LabelSets.Set(sample.Metric, dst, value);
            output.Add(sample with { Metric = metric, T = t, DropName = dst != Labels.MetricName && sample.DropName });
        }
        CheckUnique(output);
        return output;
    }

    /// <summary>Go's Regexp.Expand: <c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>${name}</c>, <c>$$</c>; unknown groups expand to "".</summary>
    private static string Expand(string template, Match match, Regex regex)
    {
        var builder = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                builder.Append(c);
                i++;
                continue;
            }
            if (template[i + 1] == '$')
            {
                builder.Append('$');
                i += 2;
                continue;
            }
            string name;
            var j = i + 1;
            if (template[j] == '{')
            {
                var close = template.IndexOf('}', j);
                if (close < 0)
                {
                    builder.Append(c);
                    i++;
                    continue;
                }
                name = template[(j + 1)..close];
                j = close + 1;
            }
            else
            {
                var k = j;
                while (k < template.Length && (char.IsAsciiLetterOrDigit(template[k]) || template[k] == '_'))
                {
                    k++;
                }
                name = template[j..k];
                j = k;
            }
            if (name.Length == 0)
            {
                builder.Append(c);
                i++;
                continue;
            }
            System.Text.RegularExpressions.Group? group = null;
            if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                if (number < match.Groups.Count)
                {
                    group = match.Groups[number];
                }
            }
            else if (regex.GroupNumberFromName(name) >= 0)
            {
                group = match.Groups[name];
            }
            if (group is { Success: true })
            {
                builder.Append(group.Value);
            }
            i = j;
        }
        return builder.ToString();
    }

    private List<Sample> LabelJoin(Call call, long t)
    {
        var input = VectorArg(call, 0, t);
        var dst = ((StringResult)Eval(call.Args[1], t)).Value;
        var separator = ((StringResult)Eval(call.Args[2], t)).Value;
        var sources = new List<string>();
        for (var i = 3; i < call.Args.Count; i++)
        {
            var src = ((StringResult)Eval(call.Args[i], t)).Value;
            if (!LabelSets.IsValidLabelName(src))
            {
                throw new PromQLException(PromQLErrorType.Execution, $"invalid source label name in label_join(): {src}");
            }
            sources.Add(src);
        }
        if (!LabelSets.IsValidLabelName(dst))
        {
            throw new PromQLException(PromQLErrorType.Execution, $"invalid destination label name in label_join(): {dst}");
        }
        var output = new List<Sample>(input.Count);
        foreach (var sample in input)
        {
            var value = string.Join(separator, sources.Select(s => sample.Metric.Get(s)));
            var metric = LabelSets.Set(sample.Metric, dst, value);
            output.Add(sample with { Metric = metric, T = t, DropName = dst != Labels.MetricName && sample.DropName });
        }
        CheckUnique(output);
        return output;
    }

    private static void CheckUnique(List<Sample> samples)
    {
        var seen = new HashSet<Labels>();
        foreach (var sample in samples)
        {
            if (!seen.Add(sample.DropName ? LabelSets.DropName(sample.Metric) : sample.Metric))
            {
                throw DuplicateLabelset();
            }
        }
    }

    public static PromQLException DuplicateLabelset() =>
        new(PromQLErrorType.Execution, "vector cannot contain metrics with the same labelset");
}
