using System.Globalization;
using Tsdb.Query.InfluxQL;
using Tsdb.Query.InfluxQL.Planning;
using Tsdb.Query.Plans;
using Tsdb.Query.Sql;
using Tsdb.Query.Tests.Conformance;

namespace Tsdb.Query.Tests;

/// <summary>A sort over rows already in its order (gap-filled intervals, sorted by series then time) is dropped.</summary>
public sealed class SortEliminationTests
{
    private const long S = 1_000_000_000L;
    private const long M = 60 * S;
    private static readonly long T0 = 1_451_606_400L * S;

    private const string Range = "time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T00:06:00Z'";

    private readonly MemoryTableSource _source = new();
    private readonly SqlEngine _engine;

    public SortEliminationTests()
    {
        // Hosts a and b, a NULL host, minutes 0-5 with gaps, over two batches.
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0 + M, 10.0, 1), ("b", T0, 5.0, 10), ("a", T0 + M + (30 * S), 20.0, 3)),
            MemoryTableSource.Cpu(("b", T0 + (2 * M), null, 20), ("a", T0 + (4 * M), 40.0, 7), ("b", T0 + (5 * M), 50.0, 51), (null, T0 + (3 * M), 1.0, 2)));
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
    }

    private static int Sorts(LogicalPlan plan) => TestPlans.Walk(plan).OfType<SortPlan>().Count();

    private LogicalPlan InfluxQL(string text) =>
        Optimizer.Optimize(new InfluxQLPlanner(_source, "db", T0 + (3600 * S), null).Plan(InfluxQLParser.ParseStatement(text)).Plan);

    [Theory]
    [InlineData($"SELECT max(usage) FROM cpu WHERE {Range} GROUP BY time(1m)", 0)]
    [InlineData($"SELECT max(usage) FROM cpu WHERE {Range} GROUP BY time(1m), host", 0)]
    [InlineData($"SELECT max(usage), min(usage) FROM cpu WHERE {Range} GROUP BY time(1m) fill(previous)", 0)]
    // Descending: the intervals come ascending, so the sort stays.
    [InlineData($"SELECT max(usage) FROM cpu WHERE {Range} GROUP BY time(1m) ORDER BY time DESC", 1)]
    // No gap filling: hash aggregation's rows come in no order.
    [InlineData($"SELECT max(usage) FROM cpu WHERE {Range} GROUP BY time(1m) fill(none)", 1)]
    // Two measurements: a union has no order.
    [InlineData($"SELECT max(usage) FROM cpu, mem WHERE {Range} GROUP BY time(1m)", 1)]
    public void InfluxQL_keeps_only_the_sorts_that_order_something(string text, int sorts)
    {
        _source.Add("mem", MemoryTableSource.CpuSchema, MemoryTableSource.Cpu(("a", T0, 1.0, 1)));
        Assert.Equal(sorts, Sorts(InfluxQL(text)));
    }

    /// <summary>
    /// The same gap-filled rows asked for in an order the gap filling gives (no sort left) and in one it does not (a
    /// sort over a value column, which cannot reorder rows here: time is unique per host) answer the same; with the
    /// NULL host first, the sort stays and moves it.
    /// </summary>
    [Fact]
    public async Task A_dropped_sort_answers_as_the_sort_would()
    {
        var select = $"SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS minute, avg(usage) AS a FROM cpu WHERE {Range} GROUP BY 1, 2";
        var dropped = select + " ORDER BY host, minute";
        var kept = select + " ORDER BY host, minute, a";
        Assert.Equal(0, Sorts(_engine.Plan("db", dropped, null)));
        Assert.Equal(1, Sorts(_engine.Plan("db", kept, null)));
        var rows = await Rows(dropped);
        Assert.Equal(await Rows(kept), rows);
        Assert.Equal(18, rows.Count);
        Assert.StartsWith("a|", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("NULL|", rows[^1], StringComparison.Ordinal);

        var nullsFirst = select + " ORDER BY host NULLS FIRST, minute";
        Assert.Equal(1, Sorts(_engine.Plan("db", nullsFirst, null)));
        Assert.StartsWith("NULL|", (await Rows(nullsFirst))[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_sort_that_keeps_the_first_rows_becomes_a_limit()
    {
        var plan = _engine.Plan("db", $"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS minute, max(usage) FROM cpu WHERE {Range} GROUP BY 1 ORDER BY minute LIMIT 2", null);
        Assert.Equal(0, Sorts(plan));
        Assert.Contains(TestPlans.Walk(plan), n => n is LimitPlan { Fetch: 2 });
    }

    /// <summary>
    /// At run time, a sort whose input is one batch already in order lets it through as it came (with LIMIT, its first
    /// rows): the rows of a table stored in time order, asked for by time, and with a limit; out of order, sorted.
    /// </summary>
    [Fact]
    public async Task A_sort_over_one_batch_already_in_order_lets_it_through()
    {
        _source.Add("ordered", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 1.0, 1), ("b", T0 + M, null, 2), ("a", T0 + (2 * M), 3.0, 2), ("c", T0 + (3 * M), 4.0, 4)));
        Assert.Equal(["a|1", "b|2", "a|2", "c|4"], await Rows("SELECT host, n FROM ordered ORDER BY time"));
        Assert.Equal(["a|1", "b|2"], await Rows("SELECT host, n FROM ordered ORDER BY time LIMIT 2"));
        Assert.Equal(["a|1", "b|2", "a|2"], await Rows("SELECT host, n FROM ordered ORDER BY n, time LIMIT 3"));
        // Ties keep their order; a later row out of order sends the batch through the sorter.
        Assert.Equal(["a|1", "a|2", "b|2", "c|4"], await Rows("SELECT host, n FROM ordered ORDER BY host, time"));
        Assert.Equal(["c|4", "a|2"], await Rows("SELECT host, n FROM ordered ORDER BY time DESC LIMIT 2"));
        Assert.Equal(["b|NULL", "a|1"], await Rows("SELECT host, usage FROM ordered ORDER BY usage NULLS FIRST LIMIT 2"));
    }

    /// <summary>The operator alone (no limit above it): an ordered single batch with a fetch gives only its first rows; one batch out of order, or two, go through the sorter.</summary>
    [Theory]
    [InlineData(new long[] { 1, 2, 2, 5 }, 2, "1,2")]
    [InlineData(new long[] { 1, 2, 2, 5 }, 9, "1,2,2,5")]
    [InlineData(new long[] { 3, 1, 2 }, 2, "1,2")]
    [InlineData(new long[] { 3, 1, 2 }, 0, "")]
    public async Task The_sort_operator_keeps_its_fetch_on_an_ordered_batch(long[] values, long fetch, string expected)
    {
        var schema = new Tsdb.Arrow.Types.Schema([new Tsdb.Arrow.Types.Field("v", Tsdb.Arrow.Types.ArrowType.Int64, nullable: false)]);
        var batch = new Tsdb.Arrow.Arrays.RecordBatch(schema, [Columns.FromValues(Tsdb.Arrow.Types.ArrowType.Int64, values, null)], values.Length);
        var exec = new Execution.SortExec(new Execution.ValuesExec(schema, [batch], "input"), [new SortExpr(new Expressions.ColumnExpr(0, "v", Tsdb.Arrow.Types.ArrowType.Int64), false, false)], fetch);
        var context = new Execution.TaskContext(_source, new Execution.QueryMemoryPool(1 << 20), new Expressions.EvalContext(0), new Execution.SpillDirectory(Path.GetTempPath()), CancellationToken.None);
        var rows = new List<long>();
        await foreach (var b in exec.ExecuteAsync(context))
        {
            rows.AddRange(Enumerable.Range(0, b.Length).Select(r => (long)b.Column(0).GetObject(r)!));
        }
        Assert.Equal(expected, string.Join(',', rows));
    }

    private async Task<List<string>> Rows(string sql)
    {
        var result = await _engine.ExecuteAsync("db", sql, CancellationToken.None);
        return [.. result.Batches.SelectMany(b => Enumerable.Range(0, b.Length)
            .Select(r => string.Join('|', b.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture)))))];
    }
}
