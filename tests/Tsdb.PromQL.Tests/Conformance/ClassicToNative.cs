using System.Globalization;

namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>
/// <c>load_with_nhcb</c>: besides the classic series, each classic histogram (<c>x_bucket{le=…}</c>, optional
/// <c>x_sum</c>, <c>x_count</c>) is also loaded as a native histogram with custom buckets named <c>x</c>, one sample
/// per time the buckets have: custom bounds are the finite <c>le</c> values, bucket counts the differences of the
/// cumulative ones, count from <c>x_count</c> (else the +Inf bucket, else the highest bucket), sum from <c>x_sum</c>
/// (else 0). Equal bounds written differently (<c>0.2</c>, <c>2e-1</c>) are one bound; the later series wins.
/// </summary>
internal static class ClassicToNative
{
    public static IEnumerable<(Labels Labels, long T, FloatHistogram Histogram)> Convert(LoadCommand load)
    {
        var groups = new Dictionary<Labels, Group>();
        var order = new List<Labels>();
        foreach (var series in load.Series)
        {
            var name = series.Labels.Name;
            string baseName;
            string kind;
            if (name.EndsWith("_bucket", StringComparison.Ordinal) && series.Labels.Has("le"))
            {
                (baseName, kind) = (name[..^"_bucket".Length], "bucket");
            }
            else if (name.EndsWith("_sum", StringComparison.Ordinal))
            {
                (baseName, kind) = (name[..^"_sum".Length], "sum");
            }
            else if (name.EndsWith("_count", StringComparison.Ordinal))
            {
                (baseName, kind) = (name[..^"_count".Length], "count");
            }
            else
            {
                continue;
            }
            var key = Labels.From(series.Labels.Where(l => l.Name != "le" && l.Name != Labels.MetricName).Append(new Label(Labels.MetricName, baseName)));
            if (!groups.TryGetValue(key, out var group))
            {
                group = new Group();
                groups[key] = group;
                order.Add(key);
            }
            switch (kind)
            {
                case "bucket":
                    group.Buckets.Add((ParseLe(series.Labels.Get("le")), series));
                    break;
                case "sum":
                    group.Sum = series;
                    break;
                default:
                    group.Count = series;
                    break;
            }
        }
        foreach (var key in order)
        {
            var group = groups[key];
            if (group.Buckets.Count == 0)
            {
                continue;
            }
            var slots = group.Buckets.Max(b => b.Series.Values.Count);
            for (var i = 0; i < slots; i++)
            {
                var cumulative = new SortedDictionary<double, double>();
                foreach (var (le, series) in group.Buckets)
                {
                    if (i < series.Values.Count && series.Values[i] is { } v)
                    {
                        cumulative[le] = v;
                    }
                }
                if (cumulative.Count == 0)
                {
                    continue;
                }
                var bounds = cumulative.Keys.Where(double.IsFinite).ToArray();
                var counts = new List<double>();
                double previous = 0;
                foreach (var (_, c) in cumulative)
                {
                    counts.Add(c - previous);
                    previous = c;
                }
                var count = group.Count is { } cs && i < cs.Values.Count && cs.Values[i] is { } cv ? cv : previous;
                var sum = group.Sum is { } ss && i < ss.Values.Count && ss.Values[i] is { } sv ? sv : 0;
                yield return (key, i * load.IntervalMs, new FloatHistogram(FloatHistogram.CustomBucketsSchema, 0, 0, count, sum,
                    [new HistogramSpan(0, (uint)counts.Count)], counts, null, null, bounds));
            }
        }
    }

    private static double ParseLe(string text) => text.ToLowerInvariant() switch
    {
        "+inf" or "inf" => double.PositiveInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private sealed class Group
    {
        public List<(double Le, ScriptSeries Series)> Buckets { get; } = [];

        public ScriptSeries? Sum { get; set; }

        public ScriptSeries? Count { get; set; }
    }
}
