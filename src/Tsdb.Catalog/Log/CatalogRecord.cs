namespace Tsdb.Catalog.Log;

/// <summary>
/// One catalog change as it is kept in <c>catalog/log/{version}.json</c>: only what differs from the version before.
/// Files and pending deletes are listed as added and removed; the schema part (databases, tables, tokens) is there
/// only when the schema changed, and then only the databases, tables and tokens that changed. Every list is left
/// out (null) when empty, so a persist's record holds its new files and two numbers.
/// </summary>
internal sealed class CatalogRecord
{
    public const int CurrentFormat = 1;

    public int FormatVersion { get; set; } = CurrentFormat;

    /// <summary>The version this record makes; it applies to version <c>Version - 1</c>.</summary>
    public long Version { get; set; }

    public long PersistedSequence { get; set; }

    public long NextFileId { get; set; }

    /// <summary>Every ingest node's persisted sequence, when one changed (null: as before).</summary>
    public Dictionary<string, long>? NodeSequences { get; set; }

    public List<ParquetFileEntry>? FilesAdded { get; set; }

    public List<long>? FilesRemoved { get; set; }

    public List<PendingDelete>? PendingDeletesAdded { get; set; }

    /// <summary>Paths whose pending deletes are gone (applied before <see cref="PendingDeletesAdded"/>).</summary>
    public List<string>? PendingDeletesForgotten { get; set; }

    /// <summary>Row deletes recorded by this change (whole tombstones).</summary>
    public List<Tombstone>? TombstonesAdded { get; set; }

    /// <summary>Ids of tombstones forgotten (folded everywhere, or their table dropped); applied before the added ones.</summary>
    public List<long>? TombstonesRemoved { get; set; }

    /// <summary>The next tombstone id, when it changed (null: as before).</summary>
    public long? NextTombstoneId { get; set; }

    public SchemaChange? Schema { get; set; }
}
