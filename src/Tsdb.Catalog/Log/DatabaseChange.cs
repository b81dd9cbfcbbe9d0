namespace Tsdb.Catalog.Log;

/// <summary>A new or changed database: its retention as it now is, its tables that are new or changed, and those removed.</summary>
internal sealed class DatabaseChange
{
    public string Name { get; set; } = "";

    public long? RetentionSeconds { get; set; }

    public List<CatalogSerializer.TableFile>? Tables { get; set; }

    public List<string>? TablesRemoved { get; set; }

    /// <summary>Metric metadata entries new or changed (entries are never removed but with their database).</summary>
    public SortedDictionary<string, MetricMetadataEntry>? MetadataSet { get; set; }
}
