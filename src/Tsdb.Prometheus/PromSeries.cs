namespace Tsdb.Prometheus;

/// <summary>One decoded remote-write series, the same for 1.0 and 2.0 requests: labels, float samples, and what was sent beside them.</summary>
internal sealed class PromSeries(IReadOnlyList<(string Name, string Value)> labels, long[] timestampsMs, double[] values)
{
    /// <summary>The labels as sent; not to be changed (the 1.0 reader shares one list among the requests that repeat a series).</summary>
    public IReadOnlyList<(string Name, string Value)> Labels { get; } = labels;

    public long[] TimestampsMs { get; } = timestampsMs;

    public double[] Values { get; } = values;

    public int HistogramCount { get; init; }

    public int ExemplarCount { get; init; }

    /// <summary>Set when the series cannot be decoded (e.g. a symbol reference out of range); nothing of it is stored.</summary>
    public string? DecodeError { get; init; }

    public string Describe()
    {
        var name = "";
        var rest = new List<string>();
        foreach (var (n, v) in Labels)
        {
            if (n == "__name__")
            {
                name = v;
            }
            else
            {
                rest.Add($"{n}=\"{v}\"");
            }
        }
        return name + "{" + string.Join(", ", rest) + "}";
    }
}
