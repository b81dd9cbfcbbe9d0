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

    /// <summary>
    /// A scan with its pushdowns: a source may return only <see cref="ScanRequest.Columns"/> and skip data that cannot
    /// match the time range or the tag values. Rows that do not match may still come back; the engine filters exactly.
    /// </summary>
    IAsyncEnumerable<RecordBatch> ScanAsync(ScanRequest request, CancellationToken cancellationToken) =>
        ScanAsync(request.Database, request.Table, request.FromTime, request.ToTime, cancellationToken);

    IReadOnlyList<string> Tables(string database);

    /// <summary>The databases there are (for InfluxQL's SHOW DATABASES); none by default.</summary>
    IReadOnlyList<string> Databases() => [];

    /// <summary>The database's persisted Parquet files (for <c>system.parquet_files</c>); none by default.</summary>
    IReadOnlyList<TableFile> Files(string database) => [];
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
}
