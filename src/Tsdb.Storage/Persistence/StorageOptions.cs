using Tsdb.Parquet.Writing;

namespace Tsdb.Storage.Persistence;

/// <summary>When the buffer is persisted, when partitions are compacted, and how long replaced files linger.</summary>
public sealed record StorageOptions
{
    /// <summary>
    /// This node's id in a cluster (null: a single server). Files it writes go under its own prefix
    /// (<see cref="ObjectPaths.DataRoot"/>), and as an ingest node its WAL's persisted sequence is kept under this id.
    /// </summary>
    public string? NodeId { get; init; }

    /// <summary>How often the background loop looks at the thresholds.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Persist once the oldest buffered rows are this old.</summary>
    public TimeSpan PersistAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Persist once the buffer holds this many bytes.</summary>
    public long PersistBufferBytes { get; init; } = 256L << 20;

    /// <summary>Persist once the buffer holds this many rows.</summary>
    public long PersistRows { get; init; } = 10_000_000;

    /// <summary>A partition with at least this many files is compacted into one.</summary>
    public int CompactionMinFiles { get; init; } = 4;

    /// <summary>Replaced and dropped files are deleted this long after the catalog stops referencing them.</summary>
    public TimeSpan DeletionGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How persisted files are written. Pages of at most 8,192 rows (the library's default is 20,000): files are
    /// sorted by tags, so a query for a few series decodes only the pages holding them, and a page is the unit the page
    /// index selects. Smaller pages cost size: TSBS cpu data at 20,000 / 8,192 / 4,096 rows per page takes 0.961 /
    /// 0.986 / 1.020 bytes per value (docs/performance.md); 8,192 keeps under 1.0.
    /// </summary>
    public ParquetWriterOptions Parquet { get; init; } = ParquetWriterOptions.Default with { PageRowLimit = 8192 };

    /// <summary>
    /// Delete WAL segments once their rows are persisted. Off for an in-memory object store, where the WAL is the
    /// only thing that survives a restart.
    /// </summary>
    public bool TruncateWal { get; init; } = true;
}
