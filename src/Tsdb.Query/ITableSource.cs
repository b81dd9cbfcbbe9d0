using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query;

/// <summary>
/// Where the engine reads tables from (storage implements it over the buffer and the Parquet files). A scan returns
/// whole rows; the time range is a pruning hint (inclusive bounds), the engine still applies the full WHERE.
/// </summary>
public interface ITableSource
{
    /// <summary>The table's schema, or null when the database or table does not exist.</summary>
    Schema? GetSchema(string database, string table);

    IAsyncEnumerable<RecordBatch> ScanAsync(string database, string table, long? fromTime, long? toTime, CancellationToken cancellationToken);

    IReadOnlyList<string> Tables(string database);

    /// <summary>The database's persisted Parquet files (for <c>system.parquet_files</c>); none by default.</summary>
    IReadOnlyList<TableFile> Files(string database) => [];
}

/// <summary>One persisted Parquet file of a table: its partition ("YYYY-MM-DD"), object path, size, rows and time range (ns).</summary>
public sealed record TableFile(string Table, string Partition, string Path, long SizeBytes, long RowCount, long MinTime, long MaxTime);
