using System.Globalization;
using Tsdb.Query.InfluxQL;
using Tsdb.Query.InfluxQL.Planning;
using Tsdb.Query.Plans;
using Tsdb.Query.Sql;
using Tsdb.Query.Tests.Conformance;

namespace Tsdb.Query.Tests;

/// <summary>
/// A projection over a projection becomes one when nothing is computed twice or out of turn: every inner expression the
/// outer reads is a column or a constant, or is read once and is not volatile.
/// </summary>
public sealed class ProjectionMergeTests
{
    private const long S = 1_000_000_000L;
    private const long M = 60 * S;
    private static readonly long T0 = 1_451_606_400L * S;

    private readonly MemoryTableSource _source = new();
    private readonly SqlEngine _engine;

    public ProjectionMergeTests()
    {
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0 + M, 10.0, 1), ("b", T0, 5.0, 10), ("a", T0 + (2 * M), 20.0, 3)),
            MemoryTableSource.Cpu(("b", T0 + (2 * M), null, 20), (null, T0 + (3 * M), 1.0, 2)));
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
    }

    private static bool Stacked(LogicalPlan plan) => TestPlans.Walk(plan).Any(p => p is ProjectionPlan { Input: ProjectionPlan });

    /// <summary>An InfluxQL aggregate names its output in a projection over its own: one projection is left.</summary>
    [Fact]
    public async Task An_InfluxQL_aggregate_ends_in_one_projection()
    {
        const string text = "SELECT max(usage) FROM cpu WHERE time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T00:04:00Z' GROUP BY time(1m)";
        var planner = new InfluxQLPlanner(_source, "db", T0 + (3600 * S), null);
        var initial = planner.Plan(InfluxQLParser.ParseStatement(text)).Plan;
        Assert.True(Stacked(initial), "the InfluxQL plan no longer stacks projections: this test checks nothing");
        var optimized = Optimizer.Optimize(initial);
        Assert.False(Stacked(optimized));
        Assert.Equal(initial.Schema.Fields.Select(f => (f.Name, f.Type)), optimized.Schema.Fields.Select(f => (f.Name, f.Type)));

        var engine = new InfluxQLEngine(new QueryExecutor(_source, TimeProvider.System));
        await using var stream = await engine.ExecuteAsync("db", InfluxQLParser.ParseStatement(text), text, null, null, CancellationToken.None);
        var rows = new List<string>();
        await foreach (var b in stream.Rows.ReadAllAsync())
        {
            rows.AddRange(Enumerable.Range(0, b.Length).Select(r => string.Join('|', b.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture)))));
        }
        Assert.Equal([$"cpu|{T0}|5", $"cpu|{T0 + M}|10", $"cpu|{T0 + (2 * M)}|20", $"cpu|{T0 + (3 * M)}|1"], rows);
    }

    [Theory]
    // Columns and constants are free to repeat.
    [InlineData("SELECT h AS a, h AS b, k FROM (SELECT host AS h, 7 AS k FROM cpu)", "SELECT host AS a, host AS b, 7 AS k FROM cpu", true)]
    // A computed column read once moves down as it is.
    [InlineData("SELECT x + 1 AS y FROM (SELECT usage * 10 AS x FROM cpu)", "SELECT usage * 10 + 1 AS y FROM cpu", true)]
    // Read twice it would be computed twice: kept.
    [InlineData("SELECT x + 1 AS y, x * 2 AS z FROM (SELECT usage * 10 AS x FROM cpu)", "SELECT usage * 10 + 1 AS y, usage * 10 * 2 AS z FROM cpu", false)]
    public async Task Stacked_projections_merge_only_when_nothing_is_computed_twice(string nested, string flat, bool merged)
    {
        var plan = _engine.Plan("db", nested, null);
        Assert.Equal(!merged, Stacked(plan));
        Assert.Equal(await Rows(flat), await Rows(nested));
    }

    [Fact]
    public void A_volatile_expression_is_not_moved_through()
    {
        // random() once per row below, its value used twice above: merged, each use would draw its own number.
        var plan = _engine.Plan("db", "SELECT r AS a, r AS b FROM (SELECT random() AS r FROM cpu)", null);
        Assert.True(Stacked(plan));
        var once = _engine.Plan("db", "SELECT r AS a FROM (SELECT random() AS r FROM cpu)", null);
        Assert.True(Stacked(once));
    }

    private async Task<List<string>> Rows(string sql)
    {
        var result = await _engine.ExecuteAsync("db", sql, CancellationToken.None);
        return [.. result.Batches.SelectMany(b => Enumerable.Range(0, b.Length)
            .Select(r => string.Join('|', b.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture)))))];
    }
}
