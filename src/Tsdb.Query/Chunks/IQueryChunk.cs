using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Chunks;

/// <summary>
/// A piece of one table's data that a scan reads: rows still in the write buffer, a Parquet file, (later) rows a
/// remote ingester holds. Storage implements it; the engine's <see cref="ChunkScan"/> decides which chunks must be
/// merged and deduplicated and which go out as read. Immutable: a chunk reads the same rows for as long as it can be
/// read at all (<see cref="ChunkGoneException"/> otherwise).
/// </summary>
public interface IQueryChunk
{
    /// <summary>What kind of chunk this is ("buffer", "parquet"), for EXPLAIN and metrics.</summary>
    string Kind { get; }

    /// <summary>The partition the chunk belongs to (a UTC day, "YYYY-MM-DD"); chunks of different partitions never hold the same point.</summary>
    string PartitionKey { get; }

    /// <summary>Smallest and largest time (ns, inclusive) of the chunk's rows.</summary>
    long MinTime { get; }

    long MaxTime { get; }

    long RowCount { get; }

    /// <summary>
    /// Where the chunk stands among the table's writes: when chunks hold the same point, the one with the higher order
    /// wrote later and its non-null fields win. Chunks that may hold the same point have distinct orders; equal orders
    /// are only shared by chunks whose time ranges do not overlap (the files one compaction splits by time).
    /// </summary>
    long Order { get; }

    /// <summary>The columns the chunk holds (a subset of the table's: columns added later are absent from older chunks).</summary>
    /// <exception cref="ChunkGoneException">The chunk's data went away.</exception>
    ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Rows come ordered by the table's sort key (its tags in table order, a missing tag first, then time).</summary>
    bool IsSorted { get; }

    /// <summary>Two rows of the chunk may be the same point (same tags and time); false promises they never are.</summary>
    bool MayHaveDuplicates { get; }

    /// <summary>Per tag column the chunk holds: its smallest and largest value (null bounds: all null). Null: not known.</summary>
    IReadOnlyDictionary<string, ChunkTagRange>? TagRanges { get; }

    /// <summary>
    /// Per value of tag column <paramref name="column"/>, the oldest and newest time of the chunk's visible rows with it
    /// (<see cref="TagTimes"/>), so a reader that needs only that (lastpoint's first pass) skips the rows. Null when not
    /// known: the chunk keeps none (a file written before they were recorded, a column with too many values, a chunk
    /// kind without them) or cannot vouch for it (row deletes reach the chunk).
    /// </summary>
    /// <exception cref="ChunkGoneException">The chunk's data went away.</exception>
    ValueTask<TagTimes?> GetTagTimesAsync(string column, CancellationToken cancellationToken) => ValueTask.FromResult<TagTimes?>(null);

    /// <summary>
    /// The chunk's rows with <see cref="ChunkRead.Columns"/> (those of them the chunk holds), in the chunk's order. Rows
    /// that cannot match the read's time range and tag values may be skipped; rows that do not match may come back
    /// (the caller filters exactly).
    /// </summary>
    /// <exception cref="ChunkGoneException">The chunk's data went away (a file replaced by compaction and deleted).</exception>
    IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, CancellationToken cancellationToken);
}

/// <summary>What a chunk read needs: columns (null: all), an inclusive time range (ns) and allowed values per tag.</summary>
public sealed record ChunkRead(IReadOnlyList<string>? Columns, long? FromTime = null, long? ToTime = null)
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoTags = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyDictionary<string, IReadOnlyList<string>> TagValues { get; init; } = NoTags;

    /// <summary>
    /// When set, a chunk that reads its rows from storage in larger units (a Parquet row group) returns batches of at
    /// most this many rows, so a merge of many chunks holds this many rows per chunk (compaction sets it from its
    /// memory budget). Chunks whose rows are in memory anyway may ignore it.
    /// </summary>
    public int? MaxBatchRows { get; init; }

    /// <summary>
    /// When set, a chunk that decodes its rows from storage returns batches it estimates at no more than this many
    /// bytes decoded (from the file's uncompressed column sizes; at least a few thousand rows), so what a query scan
    /// decodes at once is bounded and can be reserved before it is decoded. Chunks whose rows are in memory ignore it.
    /// </summary>
    public long? MaxBatchBytes { get; init; }

    public static ChunkRead Of(ScanRequest request, IReadOnlyList<string>? columns)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(columns, request.FromTime, request.ToTime) { TagValues = request.TagValues, MaxBatchBytes = request.MaxBatchBytes };
    }
}

/// <summary>The smallest and largest value of a tag column in a chunk; both null when the column is all null.</summary>
public sealed record ChunkTagRange(string? Min, string? Max);

/// <summary>A chunk's data went away while a query was reading it.</summary>
public sealed class ChunkGoneException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A table's chunks for one scan, with the table's columns: their kinds give the sort key the merge deduplicates by.
/// Without columns the source keeps plain rows (no points to deduplicate): its chunks are read one after another.
/// </summary>
public sealed record TableChunks(TableColumns? Columns, IReadOnlyList<IQueryChunk> Chunks)
{
    public static TableChunks None { get; } = new(null, []);
}
