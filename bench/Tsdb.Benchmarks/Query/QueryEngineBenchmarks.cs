using BenchmarkDotNet.Attributes;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Benchmarks.Parquet;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Query.Sql;

namespace Tsdb.Benchmarks.Query;

/// <summary>
/// The SQL engine alone (no storage, no HTTP) over 2 M TSBS cpu rows held in memory as 1 M-row batches (the size of a
/// Parquet row group): where the time of a grouping query goes — scan and filter, grouping by a tag, grouping by a
/// tag and a time bucket.
/// </summary>
[MemoryDiagnoser]
public class QueryEngineBenchmarks
{
    private SqlEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        var all = TsbsCpuTable.Build(2_000_000);
        _engine = new SqlEngine(new QueryExecutor(new Source(TsbsCpuTable.Schema, [all.Slice(0, 1_000_000), all.Slice(1_000_000, 1_000_000)]), TimeProvider.System));
    }

    [Benchmark]
    public Task<QueryResult> CountWithTimeFilter() => _engine.ExecuteAsync("db", "SELECT count(*) FROM cpu WHERE time >= '2016-01-01T01:00:00Z'", CancellationToken.None);

    [Benchmark]
    public Task<QueryResult> AvgByHost() => _engine.ExecuteAsync("db", "SELECT hostname, avg(usage_user) FROM cpu GROUP BY hostname", CancellationToken.None);

    [Benchmark]
    public Task<QueryResult> AvgByHostAndHour() => _engine.ExecuteAsync("db", "SELECT hostname, date_bin(INTERVAL '1 hour', time) AS hour, avg(usage_user) FROM cpu GROUP BY 1, 2 ORDER BY 1, 2", CancellationToken.None);

    private sealed class Source(Schema schema, RecordBatch[] batches) : ITableSource
    {
        public Schema? GetSchema(string database, string table) => table == "cpu" ? schema : null;

        public ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new TableChunks(null, [new StreamChunk(schema, batches)]));

        public IReadOnlyList<string> Tables(string database) => ["cpu"];
    }
}
