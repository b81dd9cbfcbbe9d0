using Tsdb.Query.Sql;
using System.Globalization;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Tests;

/// <summary>Query parameters, metadata views and the engine's limits.</summary>
public sealed class QueryFeatureTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S; // 2016-01-01T00:00:00Z

    private readonly MemoryTableSource _source = new();

    public QueryFeatureTests()
    {
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 10.0, 1), ("b", T0, 20.0, 2), ("a", T0 + (60 * S), null, 3)),
            MemoryTableSource.Cpu(("b", T0 + (60 * S), 40.0, null), ("c", T0 + (120 * S) + 1, 50.0, 5), (null, T0 + (180 * S), 60.0, 6)));
    }

    private SqlEngine Engine(QueryEngineOptions? options = null) => new(new QueryExecutor(_source, TimeProvider.System, options));

    private static async Task<List<string>> Rows(SqlEngine engine, string sql, Dictionary<string, object?>? parameters = null)
    {
        var result = await engine.ExecuteAsync("db", sql, parameters, CancellationToken.None);
        var rows = new List<string>();
        foreach (var batch in result.Batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r)
                    ? "NULL"
                    : c is TimestampArray t ? TimestampText.Format(t.GetValue(r)) : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))));
            }
        }
        return rows;
    }

    [Fact]
    public async Task Parameters_bind_strings_numbers_booleans_and_times()
    {
        var engine = Engine();
        Assert.Equal(["a|10", "a|NULL"], await Rows(engine, "SELECT host, usage FROM cpu WHERE host = $host ORDER BY time", new() { ["host"] = "a" }));
        Assert.Equal(["b|40", "c|50"], await Rows(engine, "SELECT host, usage FROM cpu WHERE usage > $min AND usage < $max ORDER BY usage", new() { ["min"] = 30L, ["max"] = 55.5 }));
        Assert.Equal(["b", "c"], await Rows(engine, "SELECT host FROM cpu WHERE time >= $from ORDER BY time, host LIMIT $n OFFSET $skip",
            new() { ["from"] = "2016-01-01T00:01:00Z", ["n"] = 2L, ["skip"] = 1L }));
        Assert.Equal(["6"], await Rows(engine, "SELECT count(*) FROM cpu WHERE $all", new() { ["all"] = true }));
        // The time range from a parameter still prunes the scan.
        await Rows(engine, "SELECT host FROM cpu WHERE time >= $from", new() { ["from"] = "2016-01-01T00:02:00Z" });
        Assert.Equal(T0 + (120 * S), _source.LastRange.From);
    }

    [Fact]
    public async Task A_missing_parameter_is_an_error_naming_it()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", "SELECT host FROM cpu WHERE host = $host", new Dictionary<string, object?> { ["other"] = "a" }, CancellationToken.None));
        Assert.Equal("line 1, column 35: no value given for parameter $host (pass it in \"params\")", ex.Message);
        ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", "SELECT host FROM cpu LIMIT $n", CancellationToken.None));
        Assert.Contains("$n", ex.Message, StringComparison.Ordinal);
        ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", "SELECT host FROM cpu LIMIT $n", new Dictionary<string, object?> { ["n"] = "x" }, CancellationToken.None));
        Assert.Contains("LIMIT must be a non-negative integer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Information_schema_tables_lists_tables_and_views()
    {
        _source.Add("mem", MemoryTableSource.CpuSchema);
        Assert.Equal([
            "public|iox|cpu|BASE TABLE", "public|iox|mem|BASE TABLE",
            "public|information_schema|columns|VIEW", "public|information_schema|tables|VIEW", "public|system|parquet_files|VIEW", "public|system|queries|VIEW"],
            await Rows(Engine(), "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables"));
        Assert.Equal(["cpu", "mem"], await Rows(Engine(), "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY table_name"));
    }

    [Fact]
    public async Task Information_schema_columns_uses_DataFusion_type_names()
    {
        Assert.Equal([
            "cpu|host|0|Dictionary(Int32, Utf8)|YES", "cpu|time|1|Timestamp(Nanosecond, None)|NO",
            "cpu|usage|2|Float64|YES", "cpu|n|3|Int64|YES"],
            await Rows(Engine(), "SELECT table_name, column_name, ordinal_position, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'cpu'"));
        var error = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", "SELECT * FROM information_schema.nope", CancellationToken.None));
        Assert.Equal("line 1, column 15: unknown table 'information_schema.nope'", error.Message);
    }

    [Fact]
    public async Task System_parquet_files_lists_the_sources_files()
    {
        _source.ParquetFiles.Add(new TableFile("cpu", "2016-01-01", "db/cpu/2016-01-01/2.parquet", 2048, 20, T0 + 5, T0 + 50));
        _source.ParquetFiles.Add(new TableFile("cpu", "2016-01-01", "db/cpu/2016-01-01/1.parquet", 1024, 10, T0, T0 + 10));
        Assert.Equal([
            $"cpu|2016-01-01|db/cpu/2016-01-01/1.parquet|1024|10|{T0}|{T0 + 10}",
            $"cpu|2016-01-01|db/cpu/2016-01-01/2.parquet|2048|20|{T0 + 5}|{T0 + 50}"],
            await Rows(Engine(), "SELECT table_name, partition, path, size_bytes, row_count, min_time, max_time FROM system.parquet_files"));
        Assert.Equal(["2|30"], await Rows(Engine(), "SELECT count(*), sum(row_count) FROM system.parquet_files WHERE table_name = 'cpu'"));
    }

    [Fact]
    public async Task Concurrency_limit_refuses_the_extra_query()
    {
        var engine = Engine(new QueryEngineOptions { MaxConcurrentQueries = 2 });
        _source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = engine.ExecuteAsync("db", "SELECT count(*) FROM cpu", CancellationToken.None);
        var second = engine.ExecuteAsync("db", "SELECT count(*) FROM cpu", CancellationToken.None);
        var ex = await Assert.ThrowsAsync<QueryLimitException>(() => engine.ExecuteAsync("db", "SELECT count(*) FROM cpu", CancellationToken.None));
        Assert.Equal(QueryLimit.Concurrency, ex.Limit);
        Assert.Equal("too many queries are running (the limit is 2 at a time); retry later", ex.Message);
        _source.Gate.SetResult();
        await first;
        await second;
        // The slots are given back, also by queries that fail.
        await Assert.ThrowsAsync<QueryException>(() => engine.ExecuteAsync("db", "SELECT nope FROM cpu", CancellationToken.None));
        await Assert.ThrowsAsync<QueryException>(() => engine.ExecuteAsync("db", "SELECT nope FROM cpu", CancellationToken.None));
        Assert.Equal(["6"], await Rows(engine, "SELECT count(*) FROM cpu"));
    }

    [Fact]
    public async Task Memory_limit_fails_a_query_that_materialises_too_much()
    {
        // Rows streamed through hold nothing; a sort must hold them (the query has no spill room at 64 bytes).
        Assert.Equal(6, (await Engine(new QueryEngineOptions { MaxQueryMemoryBytes = 64 }).ExecuteAsync("db", "SELECT * FROM cpu", CancellationToken.None)).Batches.Sum(b => b.Length));
        var ex = await Assert.ThrowsAsync<QueryLimitException>(() => Engine(new QueryEngineOptions { MaxQueryMemoryBytes = 64 }).ExecuteAsync("db", "SELECT * FROM cpu ORDER BY n", CancellationToken.None));
        Assert.Equal(QueryLimit.Memory, ex.Limit);
        Assert.StartsWith("the query exceeded its memory limit of 64 bytes", ex.Message, StringComparison.Ordinal);
        // A selective WHERE keeps the materialised rows under the limit.
        Assert.Equal(["1"], await Rows(Engine(new QueryEngineOptions { MaxQueryMemoryBytes = 4096 }), "SELECT n FROM cpu WHERE n = 1"));
        Assert.Equal(["6"], await Rows(Engine(), "SELECT count(*) FROM cpu"));
    }

    [Fact]
    public async Task System_queries_lists_running_finished_failed_and_cancelled_statements()
    {
        var engine = Engine();
        Assert.Equal(["6"], await Rows(engine, "SELECT count(*) FROM cpu"));
        await Assert.ThrowsAsync<QueryException>(() => engine.ExecuteAsync("db", "SELECT nope FROM cpu", CancellationToken.None));
        using (var cancel = new CancellationTokenSource())
        {
            _source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var abandoned = engine.ExecuteAsync("db", "SELECT n FROM cpu", cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }
        _source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = engine.ExecuteAsync("db", "SELECT max(n) FROM cpu", CancellationToken.None);

        // (Metadata views do not scan, so the gate holds only the max(n) query.)
        var rows = await Rows(engine, "SELECT query_text, running, success, cancelled, error IS NULL FROM system.queries ORDER BY id");
        Assert.Equal([
            "SELECT count(*) FROM cpu|False|True|False|True",
            "SELECT nope FROM cpu|False|False|False|False",
            "SELECT n FROM cpu|False|False|True|True",
            "SELECT max(n) FROM cpu|True|NULL|False|True",
            "SELECT query_text, running, success, cancelled, error IS NULL FROM system.queries ORDER BY id|True|NULL|False|True",
        ], rows);
        Assert.Contains("nope", (await Rows(engine, "SELECT error FROM system.queries WHERE success = false AND NOT cancelled"))[0], StringComparison.Ordinal);
        Assert.Empty(engine.Log.Entries("other"));
        Assert.False(running.IsCompleted);
        _source.Gate.SetResult();
        await running;
        Assert.Equal(["True"], await Rows(engine, "SELECT success FROM system.queries WHERE query_text = 'SELECT max(n) FROM cpu'"));
    }

    private static async Task<(List<string> Rows, int Batches)> Streamed(QueryStream stream)
    {
        var rows = new List<string>();
        var batches = 0;
        await foreach (var batch in stream.ReadAllAsync())
        {
            batches++;
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        return (rows, batches);
    }

    [Fact]
    public async Task Answers_stream_batch_by_batch_from_the_plan()
    {
        var engine = Engine(new QueryEngineOptions { MaxConcurrentQueries = 1 });
        await using (var stream = await engine.ExecuteStreamAsync("db", "SELECT host, n * 10 AS n10 FROM cpu WHERE n > 1", null, CancellationToken.None))
        {
            Assert.Equal(["host", "n10"], stream.ColumnNames);
            var (rows, batches) = await Streamed(stream);
            Assert.Equal(["b|20", "a|30", "c|50", "NULL|60"], rows);
            Assert.Equal(2, batches);   // one per scanned batch
        }

        // LIMIT across batches; the slot is given back once the stream is read.
        await using (var limited = await engine.ExecuteStreamAsync("db", "SELECT n FROM cpu WHERE n IS NOT NULL LIMIT 4", null, CancellationToken.None))
        {
            Assert.Equal(["1", "2", "3", "5"], (await Streamed(limited)).Rows);
        }

        // A bad query fails before any row is produced; an aggregate's groups come out once its input is consumed.
        var error = await Assert.ThrowsAsync<QueryException>(() => engine.ExecuteStreamAsync("db", "SELECT nope FROM cpu", null, CancellationToken.None));
        Assert.Equal("line 1, column 8: unknown column 'nope'", error.Message);
        await using (var sorted = await engine.ExecuteStreamAsync("db", "SELECT host, count(*) AS c FROM cpu GROUP BY host ORDER BY host", null, CancellationToken.None))
        {
            var (rows, batches) = await Streamed(sorted);
            Assert.Equal(["a|2", "b|2", "c|1", "NULL|1"], rows);
            Assert.Equal(1, batches);
        }

        // A stream that is disposed unread gives its slot back too.
        await (await engine.ExecuteStreamAsync("db", "SELECT n FROM cpu", null, CancellationToken.None)).DisposeAsync();
        Assert.Equal(["6"], await Rows(engine, "SELECT count(*) FROM cpu"));
        Assert.Equal(["True", "True"], await Rows(engine, "SELECT success FROM system.queries WHERE query_text LIKE '%n > 1' OR query_text LIKE '%LIMIT 4'"));
    }
}
