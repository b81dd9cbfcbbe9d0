using Tsdb.Core.Diagnostics;
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

    /// <summary>
    /// A persist writes a table's buffered rows in slices of at most this many buffered bytes, oldest first, one file
    /// each: sorting and merging a slice takes a few times its size, so this bounds a persist's memory whatever the
    /// table's size or cardinality (docs/reliability.md); compaction merges the files later. Default:
    /// <see cref="PersistBufferBytes"/> / 4 (a persist at the threshold makes about four files per table), 8 to 64 MiB.
    /// </summary>
    public long PersistSliceBytes
    {
        get => _persistSliceBytes ?? Math.Clamp(PersistBufferBytes / 4, 8L << 20, 64L << 20);
        init => _persistSliceBytes = value;
    }

    private readonly long? _persistSliceBytes;

    /// <summary>Persist once the buffer holds this many rows.</summary>
    public long PersistRows { get; init; } = 10_000_000;

    /// <summary>A partition (of one ingest node) with at least this many level-0 files (persists) is compacted.</summary>
    public int CompactionMinFiles { get; init; } = 4;

    /// <summary>
    /// The size compaction aims its files at: a merge whose inputs hold more is split by time into files of about this
    /// size (level 2 once at least half of it); smaller compacted files (level 1) are merged with their neighbours until
    /// they reach it. See docs/architecture.md (Compaction generations).
    /// </summary>
    public long CompactionTargetFileBytes { get; init; } = 100L << 20;

    /// <summary>
    /// Memory one compaction may hold for its data: half for the slices of rows it reads from every input file at once,
    /// half for the row groups its open output files assemble (see <see cref="CompactionMemory"/>); at most budget /
    /// <see cref="CompactionBytesPerOpenFile"/> files are open at once, so a split into more files than that is written
    /// in several passes over the inputs, each for a span of time. A small budget gives small slices and row groups
    /// (at least 4,096 rows), so a small server (the budget follows its memory) compacts in what it has.
    /// </summary>
    public long CompactionMemoryBudget { get; init; } = 512L << 20;

    /// <summary>
    /// The budget queries share with persists and compactions (<c>--process-memory-limit</c>; null: none). A persist
    /// reserves what each slice's merge and file take (<see cref="PersistService.SliceWorkBytes"/>) before it merges it, a compaction its
    /// <see cref="CompactionMemoryBudget"/> before each merge; both wait their turn (see <see cref="ProcessMemory"/>).
    /// </summary>
    public ProcessMemory? ProcessMemory { get; init; }

    /// <summary>
    /// The share of the budget one open output file of a compaction stands for (its upload part, page buffers and
    /// encoders besides the rows it shares with the other open files): it limits how many files one pass writes.
    /// </summary>
    public const long CompactionBytesPerOpenFile = 128L << 20;

    /// <summary>
    /// Called after a compaction or retention rewrite has uploaded its new files and before it publishes them in the
    /// catalog, with "compaction" or "retention" (null: nothing). A fault point for crash tests: the server's hidden
    /// TSDB_FAULT_PAUSE_BEFORE_PUBLISH makes it announce the moment and wait, so a test can kill -9 it right there.
    /// </summary>
    public Func<string, CancellationToken, Task>? BeforePublish { get; init; }

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
    /// The most values of one tag column whose oldest and newest times a file records in its footer
    /// (<see cref="Chunks.TagTimesMetadata"/>; lastpoint reads them instead of rows). 0 records none, as files written
    /// before they existed.
    /// </summary>
    public int TagTimesMaxValues { get; init; } = Chunks.TagTimesMetadata.DefaultMaxValues;

    /// <summary>
    /// Delete WAL segments once their rows are persisted. Off for an in-memory object store, where the WAL is the
    /// only thing that survives a restart.
    /// </summary>
    public bool TruncateWal { get; init; } = true;
}
