namespace Tsdb.Catalog.Log;

/// <summary>A new or changed database: its retention as it now is, its tables that are new or changed, and those removed.</summary>
internal sealed class DatabaseChange
{
    public string Name { get; set; } = "";

    public long? RetentionSeconds { get; set; }

    public List<CatalogSerializer.TableFile>? Tables { get; set; }

    public List<string>? TablesRemoved { get; set; }
}
