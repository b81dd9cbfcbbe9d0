using Tsdb.Arrow.Types;
using Tsdb.Query.Chunks;

namespace Tsdb.Query;

/// <summary>
/// Where the engine reads tables from: storage implements it over the write buffer and the Parquet files. A scan asks
/// for the table's chunks (<see cref="IQueryChunk"/>) and reads them with <see cref="ChunkScan"/>, which merges and
/// deduplicates only where chunks overlap; the engine still applies the full WHERE to what comes back.
/// </summary>
public interface ITableSource
{
    /// <summary>The table's schema, or null when the database or table does not exist.</summary>
    Schema? GetSchema(string database, string table);

    /// <summary>
    /// The chunks that may hold rows of the request (pruned by time range and tag values; a source may return more)
    /// and the table's columns; <see cref="TableChunks.None"/> when the table does not exist.
    /// </summary>
    ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken);

    IReadOnlyList<string> Tables(string database);

    /// <summary>The databases there are (for InfluxQL's SHOW DATABASES); none by default.</summary>
    IReadOnlyList<string> Databases() => [];

    /// <summary>The database's persisted Parquet files (for <c>system.parquet_files</c>); none by default.</summary>
    IReadOnlyList<TableFile> Files(string database) => [];

    /// <summary>
    /// Brings the source's view of databases and tables up to date where it follows a catalog written elsewhere (a
    /// cluster's query node); true when something changed, so a plan that failed on an unknown name is worth a retry.
    /// A source that is always current returns false (the default).
    /// </summary>
    ValueTask<bool> CatchUpAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);
}

/// <summary>One persisted Parquet file of a table: its partition ("YYYY-MM-DD"), object path, size, rows and time range (ns).</summary>
public sealed record TableFile(string Table, string Partition, string Path, long SizeBytes, long RowCount, long MinTime, long MaxTime);

/// <summary>
/// What a query needs from one table: the columns it names (null: all), an inclusive time range (ns) and, per tag,
/// the only values a row may have (from <c>tag = 'v'</c> and <c>tag IN (…)</c> terms ANDed into WHERE).
/// </summary>
public sealed record ScanRequest(string Database, string Table)
{
    public IReadOnlyList<string>? Columns { get; init; }

    public long? FromTime { get; init; }

    public long? ToTime { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> TagValues { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// When set, stored rows are decoded in batches of about this many bytes at most (see
    /// <see cref="Chunks.ChunkRead.MaxBatchBytes"/>): a query under a small memory limit reserves what it decodes.
    /// </summary>
    public long? MaxBatchBytes { get; init; }
}
