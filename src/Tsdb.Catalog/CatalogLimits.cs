namespace Tsdb.Catalog;

/// <summary>Schema size limits; writes beyond them are refused (HTTP 422).</summary>
public sealed record CatalogLimits
{
    public int MaxDatabases { get; init; } = 100;

    public int MaxTablesPerDatabase { get; init; } = 2000;

    /// <summary>Columns per table, counting tags, fields and time.</summary>
    public int MaxColumnsPerTable { get; init; } = 500;
}
