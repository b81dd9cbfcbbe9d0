using Tsdb.Arrow.Arrays;
using Tsdb.Query.Plans;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// Logical plans of SQL statements over the cpu table (host, time, usage, n) and a second table mem (host, time,
/// free), as the SQL planner builds them before the optimizer runs: the operator tests take their expressions and
/// aggregate calls from these, bound to the cpu schema as a scan of all its columns gives it.
/// </summary>
internal static class TestPlans
{
    private const long S = 1_000_000_000L;

    /// <summary>2016-01-01T00:00:00Z in ns.</summary>
    public const long T0 = 1_451_606_400L * S;

    public static MemoryTableSource Source()
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, Batches());
        // A second table with the same shape, for joins and unions across tables.
        source.Add("mem", MemoryTableSource.CpuSchema, MemoryTableSource.Cpu(("a", T0, 1.0, 1), ("c", T0 + S, 2.0, 2)));
        return source;
    }

    /// <summary>Three batches of the cpu table with repeated hosts, nulls in every nullable column and an empty batch.</summary>
    public static RecordBatch[] Batches() =>
    [
        MemoryTableSource.Cpu(("a", T0, 10.0, 1), ("b", T0, 20.0, 2), ("a", T0 + (60 * S), null, 3), (null, T0 + S, 5.0, 4)),
        MemoryTableSource.Cpu(),
        MemoryTableSource.Cpu(("b", T0 + (60 * S), 40.0, null), ("c", T0 + (120 * S), 50.0, 5)),
        MemoryTableSource.Cpu(("a", T0 + (180 * S), 60.0, 6), ("c", T0 + (180 * S), 70.0, 7), ("b", T0 + (240 * S), 80.0, 8)),
    ];

    /// <summary>The statement's plan as SQL planning gives it (not optimised).</summary>
    public static LogicalPlan Plan(string sql, ITableSource? source = null)
    {
        source ??= Source();
        var executor = new QueryExecutor(source, TimeProvider.System);
        return new SqlPlanner(source, executor.Views, "db", sql, null, T0 + (3600 * S)).PlanStatement(SqlParser.Parse(sql));
    }

    /// <summary>The first node of type <typeparamref name="T"/> in the statement's plan, parents first.</summary>
    public static T Find<T>(string sql)
        where T : LogicalPlan => Walk(Plan(sql)).OfType<T>().First();

    public static IEnumerable<LogicalPlan> Walk(LogicalPlan plan)
    {
        yield return plan;
        foreach (var input in plan.Inputs)
        {
            foreach (var node in Walk(input))
            {
                yield return node;
            }
        }
    }
}
