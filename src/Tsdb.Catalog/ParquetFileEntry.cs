namespace Tsdb.Catalog;

/// <summary>
/// A Parquet file of one table and one UTC day partition, as the catalog records it: where it is, what time range and
/// how many rows it holds, the highest WAL sequence whose rows it contains, and its compaction level (0 = written
/// by a persist, 1 = written by compaction). Tag statistics let queries skip files.
/// </summary>
public sealed record ParquetFileEntry(
    long Id,
    string Database,
    string Table,
    int Day,
    string Path,
    long MinTime,
    long MaxTime,
    long RowCount,
    long SizeBytes,
    long MaxSequence,
    int Level,
    DateTimeOffset CreatedAt)
{
    /// <summary>Per tag column: smallest and largest value in the file (null when the column is all null).</summary>
    public IReadOnlyDictionary<string, TagRange> TagRanges { get; init; } = new Dictionary<string, TagRange>();

    /// <summary>Every row delete (tombstone) with an id up to this one was applied when the file was written.</summary>
    public long TombstonesThrough { get; init; }

    /// <summary>
    /// The ingest node of a cluster whose WAL the rows came from (null: the single server's). Its
    /// <see cref="MaxSequence"/> counts in that node's WAL, so only files of one node compare by sequence.
    /// </summary>
    public string? Node { get; init; }
}

public sealed record TagRange(string? Min, string? Max);
