using System.Collections.Concurrent;
using Tsdb.Catalog;

namespace Tsdb.Prometheus;

/// <summary>A metric family's metadata as the HTTP API returns it (<c>type</c> is lower case: counter, gauge, …).</summary>
public sealed record MetricMetadata(string Type, string Help, string Unit);

/// <summary>
/// Metric metadata sent by remote-write senders, per database. The decoders <see cref="Set"/> what a request carries;
/// what differs from the catalog waits here until <see cref="PersistAsync"/> writes it as one catalog record (none
/// when a sender repeats itself, as Prometheus does every minute), so <c>/api/v1/metadata</c> answers the same after
/// a restart and on every node of a cluster. Without a catalog (the decoders' tests) entries only collect here.
/// </summary>
public sealed class MetricMetadataStore(Catalog.Catalog? catalog = null)
{
    private readonly ConcurrentDictionary<(string Database, string Metric), MetricMetadata> _pending = new();

    public void Set(string database, string metric, MetricMetadata metadata)
    {
        if (metric.Length == 0)
        {
            return;
        }
        if (catalog?.Current.FindDatabase(database)?.Metadata.TryGetValue(metric, out var stored) == true && Same(stored, metadata))
        {
            _pending.TryRemove((database, metric), out _);   // an older, different entry must not overwrite it
            return;
        }
        _pending[(database, metric)] = metadata;
    }

    /// <summary>Writes the database's changed entries to the catalog (nothing when none changed).</summary>
    public async Task PersistAsync(string database, CancellationToken cancellationToken = default)
    {
        if (catalog is null)
        {
            return;
        }
        var taken = new List<KeyValuePair<string, MetricMetadataEntry>>();
        foreach (var ((db, metric), entry) in _pending)
        {
            if (db == database && _pending.TryRemove(new KeyValuePair<(string, string), MetricMetadata>((db, metric), entry)))
            {
                taken.Add(KeyValuePair.Create(metric, new MetricMetadataEntry(entry.Type, entry.Help, entry.Unit)));
            }
        }
        if (taken.Count == 0)
        {
            return;
        }
        var error = await catalog.UpdateAsync(editor => editor.SetMetricMetadata(database, taken), cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException(error.Message);
        }
    }

    /// <summary>The families of <paramref name="database"/>, sorted by name: the catalog's, with entries not yet persisted over them.</summary>
    public IReadOnlyList<KeyValuePair<string, MetricMetadata>> List(string database)
    {
        var all = new SortedDictionary<string, MetricMetadata>(StringComparer.Ordinal);
        if (catalog?.Current.FindDatabase(database) is { } db)
        {
            foreach (var (metric, entry) in db.Metadata)
            {
                all[metric] = new MetricMetadata(entry.Type, entry.Help, entry.Unit);
            }
        }
        foreach (var ((db2, metric), entry) in _pending)
        {
            if (db2 == database)
            {
                all[metric] = entry;
            }
        }
        return [.. all];
    }

    private static bool Same(MetricMetadataEntry stored, MetricMetadata metadata) =>
        stored.Type == metadata.Type && stored.Help == metadata.Help && stored.Unit == metadata.Unit;

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
