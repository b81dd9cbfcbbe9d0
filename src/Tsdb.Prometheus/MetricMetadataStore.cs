using System.Collections.Concurrent;

namespace Tsdb.Prometheus;

/// <summary>A metric family's metadata as the HTTP API returns it (<c>type</c> is lower case: counter, gauge, …).</summary>
public sealed record MetricMetadata(string Type, string Help, string Unit);

/// <summary>
/// Metric metadata sent by remote-write senders, per database, kept in memory (lost at restart) for
/// <c>/api/v1/metadata</c>. The latest metadata sent for a family wins.
/// </summary>
public sealed class MetricMetadataStore
{
    private readonly ConcurrentDictionary<(string Database, string Metric), MetricMetadata> _entries = new();

    public void Set(string database, string metric, MetricMetadata metadata)
    {
        if (metric.Length > 0)
        {
            _entries[(database, metric)] = metadata;
        }
    }

    /// <summary>The families of <paramref name="database"/>, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, MetricMetadata>> List(string database) =>
        [.. _entries.Where(e => e.Key.Database == database).Select(e => KeyValuePair.Create(e.Key.Metric, e.Value)).OrderBy(e => e.Key, StringComparer.Ordinal)];

    public static string TypeName(int type) => type switch
    {
        1 => "counter",
        2 => "gauge",
        3 => "histogram",
        4 => "gaugehistogram",
        5 => "summary",
        6 => "info",
        7 => "stateset",
        _ => "unknown",
    };
}
