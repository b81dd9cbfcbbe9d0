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
}
