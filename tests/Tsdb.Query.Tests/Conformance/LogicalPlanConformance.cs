using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Plans;
using Tsdb.Query.InfluxQL;
using Tsdb.Query.InfluxQL.Planning;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// The contract of every logical node, checked on every node of the plans of a list of SQL and InfluxQL statements
/// (before and after optimisation) that together hold each node type: <see cref="LogicalPlan.WithInputs"/> with its own inputs
/// gives an equivalent node (same schema names and types, same description), <see cref="LogicalPlan.Transform"/> that
/// rewrites nothing gives the same plan, the physical operator has the node's columns, the rows it answers hold what
/// <see cref="PlanOrder"/> claims of it, and the optimizer keeps the output schema of a plan (names, order and types).
/// </summary>
public sealed class LogicalPlanConformance
{
    private static readonly string[] Sql =
    [
        "SELECT * FROM cpu",
        "SELECT host, usage * 2 AS twice, NULL AS nothing FROM cpu WHERE usage > 15 AND host <> 'c'",
        "SELECT n FROM cpu WHERE time >= '2016-01-01T00:01:00Z' AND host IN ('a', 'b') ORDER BY n DESC LIMIT 2 OFFSET 1",
        "SELECT host, sum(usage), count(*) AS c FROM cpu GROUP BY host HAVING count(*) > 1 ORDER BY host",
        "SELECT count(*), avg(usage) FROM cpu WHERE usage > 100",
        "SELECT date_bin(INTERVAL '1 minute', time) AS minute, max(usage) FROM cpu GROUP BY 1 ORDER BY 1 LIMIT 10",
        "SELECT DISTINCT host FROM cpu",
        "SELECT DISTINCT ON (host) host, time, usage FROM cpu ORDER BY host, time DESC",
        "SELECT DISTINCT ON (host) * FROM cpu",
        "SELECT c.host, m.usage AS free FROM cpu c JOIN mem m ON c.host = m.host WHERE c.usage > 15",
        "SELECT * FROM mem LEFT JOIN cpu ON mem.host = cpu.host AND cpu.usage > 15",
        "SELECT mem.n, cpu.n FROM mem JOIN cpu ON mem.usage * 10 < cpu.usage",
        "SELECT host FROM cpu WHERE host IN (SELECT host FROM mem)",
        "SELECT host FROM cpu WHERE host NOT IN (SELECT host FROM mem)",
        "SELECT host, usage - (SELECT avg(usage) FROM cpu) AS above FROM cpu",
        "SELECT host, time FROM mem UNION ALL SELECT host, time FROM cpu WHERE usage > 15 ORDER BY time LIMIT 3",
        "SELECT host FROM mem UNION ALL SELECT host FROM cpu UNION ALL SELECT host FROM mem",
        "WITH busy AS (SELECT host, max(usage) AS peak FROM cpu GROUP BY host) SELECT * FROM busy WHERE peak > 50",
        "SELECT * FROM (SELECT host, n FROM cpu ORDER BY n DESC LIMIT 3) t WHERE n > 1",
        "SELECT 1 AS one, 'x' AS s",
        "SHOW TABLES",
        "SELECT table_name FROM information_schema.tables",
        "SELECT host, usage, row_number() OVER (PARTITION BY host ORDER BY time) AS rn, avg(usage) OVER (PARTITION BY host ORDER BY time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS moving FROM cpu",
        "SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS minute, host, locf(avg(usage)) AS u, count(*) AS n FROM cpu WHERE time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T00:10:00Z' GROUP BY 1, 2",
        // InfluxQL (its plans hold the per-series node SQL has no syntax for).
        "influxql: SELECT derivative(usage, 1m), n FROM cpu GROUP BY host LIMIT 2",
        "influxql: SELECT derivative(mean(usage)) FROM cpu WHERE time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T00:10:00Z' GROUP BY time(1m), host fill(previous)",
        "influxql: SELECT max(usage), n FROM cpu GROUP BY host SLIMIT 1",
        "influxql: SELECT top(usage, 2) FROM cpu GROUP BY host",
        "influxql: SELECT mode(n) FROM cpu",
        "influxql: SELECT integral(usage) FROM cpu GROUP BY host",
        "influxql: SELECT mean(u) FROM (SELECT usage AS u FROM cpu) GROUP BY time(1m) fill(none)",
    ];

    public static TheoryData<string> Statements() => [.. Sql];

    private static IEnumerable<LogicalPlan> BothPlans(string sql)
    {
        var plan = sql.StartsWith("influxql: ", StringComparison.Ordinal)
            ? new InfluxQLPlanner(TestPlans.Source(), "db", 0, null).Plan(InfluxQLParser.ParseStatement(sql["influxql: ".Length..])).Plan
            : TestPlans.Plan(sql);
        return [plan, Optimizer.Optimize(plan)];
    }

    private static void AssertSameSchema(Schema expected, Schema actual, string what)
    {
        Assert.True(expected.Fields.Select(f => f.Name).SequenceEqual(actual.Fields.Select(f => f.Name)),
            $"{what}: columns [{expected}] became [{actual}]");
        Assert.True(expected.Fields.Select(f => f.Type).SequenceEqual(actual.Fields.Select(f => f.Type)),
            $"{what}: column types [{expected}] became [{actual}]");
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void A_node_rebuilt_from_its_own_inputs_is_equivalent(string sql)
    {
        foreach (var node in BothPlans(sql).SelectMany(TestPlans.Walk))
        {
            var copy = node.WithInputs(node.Inputs);
            Assert.IsType(node.GetType(), copy);
            AssertSameSchema(node.Schema, copy.Schema, node.Describe());
            Assert.Equal(node.Describe(), copy.Describe());
            Assert.Equal(node.Display(), copy.Display());
        }
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void A_transform_that_rewrites_nothing_keeps_the_plan(string sql)
    {
        foreach (var plan in BothPlans(sql))
        {
            var same = plan.Transform(_ => null);
            Assert.Equal(plan.Display(), same.Display());
            AssertSameSchema(plan.Schema, same.Schema, "Transform(_ => null)");
        }
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void Every_nodes_operator_has_the_nodes_columns(string sql)
    {
        foreach (var node in BothPlans(sql).SelectMany(TestPlans.Walk))
        {
            var physical = PhysicalPlanner.Create(node);
            Assert.True(node.Schema.FieldCount == physical.Schema.FieldCount, $"{node.Describe()} has {node.Schema.FieldCount} columns, {physical.Describe()} has {physical.Schema.FieldCount}");
            Assert.Equal(node.Schema.Fields.Select(f => f.Name), physical.Schema.Fields.Select(f => f.Name));
        }
    }

    /// <summary>
    /// What <see cref="PlanOrder"/> claims of a node (its sort order, constant columns, columns without nulls) holds
    /// for the rows its operator answers: the optimizer drops sorts on these claims.
    /// </summary>
    [Theory]
    [MemberData(nameof(Statements))]
    public async Task Every_node_answers_as_PlanOrder_claims(string sql)
    {
        var spill = Directory.CreateTempSubdirectory("tsdb-plan-order-").FullName;
        try
        {
            foreach (var node in BothPlans(sql).SelectMany(TestPlans.Walk))
            {
                var order = PlanOrder.Of(node);
                var constant = Enumerable.Range(0, node.Schema.FieldCount).Where(c => PlanOrder.IsConstant(node, c)).ToList();
                var neverNull = Enumerable.Range(0, node.Schema.FieldCount).Where(c => PlanOrder.NeverNull(node, c)).ToList();
                if (order.Count == 0 && constant.Count == 0 && neverNull.Count == 0)
                {
                    continue;
                }
                var context = new TaskContext(TestPlans.Source(), new QueryMemoryPool(1L << 30), new Expressions.EvalContext(TestPlans.T0), new SpillDirectory(spill), CancellationToken.None);
                var rows = new List<object?[]>();
                await foreach (var batch in PhysicalPlanner.Create(node).ExecuteAsync(context))
                {
                    for (var r = 0; r < batch.Length; r++)
                    {
                        rows.Add([.. batch.Columns.Select(c => c.IsNull(r) ? null : c.GetObject(r))]);
                    }
                }
                var what = $"{sql}: {node.Describe()}";
                for (var r = 1; r < rows.Count; r++)
                {
                    var compared = 0;
                    foreach (var key in order)
                    {
                        compared = Compare(rows[r - 1][key.Column], rows[r][key.Column], key.NullsFirst);
                        compared = key.Descending && rows[r - 1][key.Column] is not null && rows[r][key.Column] is not null ? -compared : compared;
                        if (compared != 0)
                        {
                            break;
                        }
                    }
                    Assert.True(compared <= 0, $"{what}: rows {r - 1} and {r} are out of the claimed order [{string.Join(", ", order)}]");
                    foreach (var c in constant)
                    {
                        Assert.True(Equals(rows[0][c], rows[r][c]), $"{what}: column {c} is claimed constant but holds {rows[0][c]} and {rows[r][c]}");
                    }
                }
                foreach (var c in neverNull)
                {
                    Assert.True(rows.All(row => row[c] is not null), $"{what}: column {c} is claimed never null");
                }
            }
        }
        finally
        {
            Directory.Delete(spill, recursive: true);
        }
    }

    private static int Compare(object? a, object? b, bool nullsFirst) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => nullsFirst ? -1 : 1,
        (_, null) => nullsFirst ? 1 : -1,
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => ((IComparable)a).CompareTo(b),
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void The_optimizer_keeps_the_output_schema(string sql)
    {
        if (sql.StartsWith("influxql: ", StringComparison.Ordinal))
        {
            var plans = BothPlans(sql).ToList();
            AssertSameSchema(plans[0].Schema, plans[1].Schema, "Optimize");
            AssertSameSchema(plans[1].Schema, Optimizer.Optimize(plans[1]).Schema, "Optimize(Optimize)");
            return;
        }
        var plan = TestPlans.Plan(sql);
        var optimized = Optimizer.Optimize(plan);
        AssertSameSchema(plan.Schema, optimized.Schema, "Optimize");
        // Optimising an optimised plan (what SqlEngine.Plan returns) keeps it too.
        var engine = new SqlEngine(new QueryExecutor(TestPlans.Source(), TimeProvider.System));
        var planned = engine.Plan("db", sql, null);
        AssertSameSchema(planned.Schema, Optimizer.Optimize(planned).Schema, "Optimize(SqlEngine.Plan)");
        AssertSameSchema(plan.Schema, planned.Schema, "SqlEngine.Plan");
    }

    [Fact]
    public void The_statements_hold_every_logical_node_type()
    {
        var seen = Sql.SelectMany(BothPlans).SelectMany(TestPlans.Walk).Select(n => n.GetType()).ToHashSet();
        var all = typeof(LogicalPlan).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(LogicalPlan)) && !t.IsAbstract);
        Assert.Empty(all.Where(t => !seen.Contains(t)).Select(t => t.Name));
    }
}
