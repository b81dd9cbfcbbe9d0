using System.Globalization;

namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>
/// The test files' native histogram notation: <c>{{schema:1 sum:5 count:4 z_bucket:1 z_bucket_w:0.001 offset:0
/// buckets:[1 2] n_offset:0 n_buckets:[1] custom_values:[0.1 0.2] counter_reset_hint:gauge}}</c>, bucket counts
/// absolute, one span per side starting at the offset. Also the series forms <c>{{a}}xN</c> (repeat) and
/// <c>{{a}}+{{b}}xN</c> / <c>{{a}}-{{b}}xN</c> (a, a±b, … N+1 values).
/// </summary>
internal static class HistogramNotation
{
    /// <summary>Expands one series item that starts with <c>{{</c> into its samples.</summary>
    public static List<FloatHistogram> ExpandItem(string item)
    {
        var first = ReadHistogram(item, 0, out var end);
        var result = new List<FloatHistogram> { first };
        if (end == item.Length)
        {
            return result;
        }
        if (item[end] == 'x')
        {
            var times = int.Parse(item.AsSpan(end + 1), CultureInfo.InvariantCulture);
            for (var k = 0; k < times; k++)
            {
                result.Add(first);
            }
            return result;
        }
        var sign = item[end] switch
        {
            '+' => 1,
            '-' => -1,
            _ => throw new FormatException($"unexpected '{item[end]}' after a histogram in {item}"),
        };
        var increment = ReadHistogram(item, end + 1, out var after);
        if (after >= item.Length || item[after] != 'x')
        {
            throw new FormatException($"expected xN after {item[..after]}");
        }
        var count = int.Parse(item.AsSpan(after + 1), CultureInfo.InvariantCulture);
        var current = first;
        for (var k = 0; k < count; k++)
        {
            current = sign > 0 ? current.Add(increment) : current.Subtract(increment);
            result.Add(current);
        }
        return result;
    }

    private static FloatHistogram ReadHistogram(string text, int start, out int end)
    {
        if (!text.AsSpan(start).StartsWith("{{"))
        {
            throw new FormatException($"expected {{{{ at {start} in {text}");
        }
        var close = text.IndexOf("}}", start, StringComparison.Ordinal);
        if (close < 0)
        {
            throw new FormatException($"unterminated histogram in {text}");
        }
        end = close + 2;
        return Parse(text[(start + 2)..close]);
    }

    /// <summary>The body between <c>{{</c> and <c>}}</c>.</summary>
    public static FloatHistogram Parse(string body)
    {
        var schema = 0;
        double sum = 0, count = 0, zeroCount = 0, zeroThreshold = 0;
        int offset = 0, negativeOffset = 0;
        var buckets = new List<double>();
        var negativeBuckets = new List<double>();
        var customValues = new List<double>();
        var hint = HistogramCounterResetHint.Unknown;
        var i = 0;
        while (i < body.Length)
        {
            while (i < body.Length && char.IsWhiteSpace(body[i]))
            {
                i++;
            }
            if (i >= body.Length)
            {
                break;
            }
            var colon = body.IndexOf(':', i);
            if (colon < 0)
            {
                throw new FormatException($"expected key:value in {{{{{body}}}}}");
            }
            var key = body[i..colon].Trim();
            i = colon + 1;
            string value;
            if (i < body.Length && body[i] == '[')
            {
                var closeBracket = body.IndexOf(']', i);
                value = body[(i + 1)..closeBracket];
                i = closeBracket + 1;
            }
            else
            {
                var startValue = i;
                while (i < body.Length && !char.IsWhiteSpace(body[i]))
                {
                    i++;
                }
                value = body[startValue..i];
            }
            switch (key)
            {
                case "schema":
                    schema = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "sum":
                    sum = Number(value);
                    break;
                case "count":
                    count = Number(value);
                    break;
                case "z_bucket":
                    zeroCount = Number(value);
                    break;
                case "z_bucket_w":
                    zeroThreshold = Number(value);
                    break;
                case "offset":
                    offset = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "n_offset":
                    negativeOffset = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "buckets":
                    buckets = List(value);
                    break;
                case "n_buckets":
                    negativeBuckets = List(value);
                    break;
                case "custom_values":
                    customValues = List(value);
                    break;
                case "counter_reset_hint":
                    hint = value switch
                    {
                        "unknown" => HistogramCounterResetHint.Unknown,
                        "reset" => HistogramCounterResetHint.CounterReset,
                        "not_reset" => HistogramCounterResetHint.NotCounterReset,
                        "gauge" => HistogramCounterResetHint.Gauge,
                        _ => throw new FormatException($"unknown counter_reset_hint {value}"),
                    };
                    break;
                default:
                    throw new FormatException($"unknown histogram key {key}");
            }
        }
        HistogramSpan[]? positiveSpans = buckets.Count > 0 ? [new HistogramSpan(offset, (uint)buckets.Count)] : null;
        HistogramSpan[]? negativeSpans = negativeBuckets.Count > 0 ? [new HistogramSpan(negativeOffset, (uint)negativeBuckets.Count)] : null;
        return new FloatHistogram(schema, zeroThreshold, zeroCount, count, sum, positiveSpans, buckets, negativeSpans, negativeBuckets, customValues, hint);
    }

    private static List<double> List(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Number)];

    private static double Number(string text) => text.ToLowerInvariant() switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>The test runner's histogram comparison (Prometheus' compareNativeHistogram over compacted histograms).</summary>
    public static bool Matches(FloatHistogram expected, FloatHistogram actual)
    {
        if (expected.Schema != actual.Schema || !ConformanceRunner.AlmostEqual(expected.Count, actual.Count) || !ConformanceRunner.AlmostEqual(expected.Sum, actual.Sum))
        {
            return false;
        }
        if (expected.UsesCustomBuckets && !expected.CustomValues.SequenceEqual(actual.CustomValues))
        {
            return false;
        }
        if (expected.ZeroThreshold != actual.ZeroThreshold || !ConformanceRunner.AlmostEqual(expected.ZeroCount, actual.ZeroCount))
        {
            return false;
        }
        return SameSide(expected.PositiveSpans, expected.PositiveBuckets, actual.PositiveSpans, actual.PositiveBuckets)
            && SameSide(expected.NegativeSpans, expected.NegativeBuckets, actual.NegativeSpans, actual.NegativeBuckets);
    }

    private static bool SameSide(IReadOnlyList<HistogramSpan> es, IReadOnlyList<double> eb, IReadOnlyList<HistogramSpan> a, IReadOnlyList<double> ab) =>
        es.SequenceEqual(a) && eb.Count == ab.Count && eb.Zip(ab).All(p => ConformanceRunner.AlmostEqual(p.First, p.Second));

    /// <summary>The notation for a histogram, for failure messages.</summary>
    public static string Format(FloatHistogram h)
    {
        var parts = new List<string> { $"schema:{h.Schema}", $"sum:{F(h.Sum)}", $"count:{F(h.Count)}" };
        if (h.ZeroThreshold != 0 || h.ZeroCount != 0)
        {
            parts.Add($"z_bucket_w:{F(h.ZeroThreshold)} z_bucket:{F(h.ZeroCount)}");
        }
        if (h.UsesCustomBuckets)
        {
            parts.Add($"custom_values:[{string.Join(' ', h.CustomValues.Select(F))}]");
        }
        if (h.PositiveBuckets.Count > 0)
        {
            parts.Add($"spans:[{string.Join(' ', h.PositiveSpans.Select(s => $"{s.Offset}:{s.Length}"))}] buckets:[{string.Join(' ', h.PositiveBuckets.Select(F))}]");
        }
        if (h.NegativeBuckets.Count > 0)
        {
            parts.Add($"n_spans:[{string.Join(' ', h.NegativeSpans.Select(s => $"{s.Offset}:{s.Length}"))}] n_buckets:[{string.Join(' ', h.NegativeBuckets.Select(F))}]");
        }
        if (h.CounterResetHint != HistogramCounterResetHint.Unknown)
        {
            parts.Add($"counter_reset_hint:{h.CounterResetHint}");
        }
        return "{{" + string.Join(' ', parts) + "}}";

        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }
}
