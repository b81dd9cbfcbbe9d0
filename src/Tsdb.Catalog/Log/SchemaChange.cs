namespace Tsdb.Catalog.Log;

/// <summary>The schema part of a record: what changed in databases, tables and tokens.</summary>
internal sealed class SchemaChange
{
    /// <summary>Databases removed (applied first, so a database dropped and made again in one edit comes back empty).</summary>
    public List<string>? DatabasesRemoved { get; set; }

    /// <summary>Databases that are new or changed, each with its retention and only its changed tables.</summary>
    public List<DatabaseChange>? Databases { get; set; }

    public List<string>? TokensRemoved { get; set; }

    /// <summary>Tokens new or replaced (by name).</summary>
    public List<CatalogSerializer.TokenFile>? Tokens { get; set; }
}
