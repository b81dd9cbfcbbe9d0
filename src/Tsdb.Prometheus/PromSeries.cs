using Tsdb.PromQL;

namespace Tsdb.Prometheus;

/// <summary>
/// One decoded series, the same for remote-write 1.0 and 2.0 requests and for other protocols that map to Prometheus'
/// model (OTLP; public for them): labels, float samples, native histogram samples, and what was
/// sent beside them. A struct over slices of the request's sample arrays: a request is mostly thousands of one-sample series, and
/// an object and two arrays per series were a third of what ingestion allocated.
/// </summary>
public readonly struct PromSeries(IReadOnlyList<(string Name, string Value)> labels, ReadOnlyMemory<long> timestampsMs, ReadOnlyMemory<double> values)
{
    /// <summary>The labels as sent; not to be changed (the 1.0 reader shares one list among the requests that repeat a series).</summary>
    public IReadOnlyList<(string Name, string Value)> Labels { get; } = labels;

    public ReadOnlyMemory<long> TimestampsMs { get; } = timestampsMs;

    public ReadOnlyMemory<double> Values { get; } = values;

    /// <summary>Times of the native histogram samples, one per entry of <see cref="Histograms"/>.</summary>
    public ReadOnlyMemory<long> HistogramTimestampsMs { get; init; }

    /// <summary>
    /// Native histogram samples (integer ones converted to float counts, exact up to 2^53); a stale one has the
    /// staleness marker as its sum.
    /// </summary>
    public ReadOnlyMemory<FloatHistogram> Histograms { get; init; }

    /// <summary>Histogram samples sent (also when they could not be decoded).</summary>
    public int HistogramCount { get; init; }

    /// <summary>The exemplars sent with the series, stored in its metric's exemplar table (<see cref="ExemplarColumns"/>).</summary>
    public ReadOnlyMemory<PromExemplar> Exemplars { get; init; }

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
