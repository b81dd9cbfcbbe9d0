using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// FirstPerKeyExec keeping two rows per key, the key computed from the host tag alone (InfluxQL's series key
/// <c>coalesce(CAST(host AS Utf8), '')</c>), so rows are grouped by the tag's dictionary codes instead: the shape
/// below a per-series <c>LIMIT 2</c>.
/// </summary>
public sealed class TopPerKeyExecConformance : ExecutionPlanConformance
{
    private static (Expr Key, IReadOnlyList<SortExpr> Order) KeyAndOrder()
    {
        var key = TestPlans.Find<ProjectionPlan>("SELECT coalesce(CAST(host AS VARCHAR), '') AS k FROM cpu").Exprs[0];
        var time = TestPlans.Find<SortPlan>("SELECT * FROM cpu ORDER BY time DESC").Keys[0];
        return (key, [new SortExpr(key, true, false), time]);
    }

    internal override ExecutionPlan Create(TestInput input)
    {
        var (key, order) = KeyAndOrder();
        var plan = new FirstPerKeyExec(input, [key], order, keep: 2);
        Assert.Contains("keep=2", plan.Describe(), StringComparison.Ordinal);
        return plan;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_per_series_limit_keeps_the_rows_a_full_sort_would(int keep)
    {
        var (key, order) = KeyAndOrder();
        // The series walk of InfluxQL's LIMIT, once over the reduced rows and once over every row.
        var seriesKey = new ColumnExpr(MemoryTableSource.CpuSchema.FieldCount, "series", key.Type);
        ExecutionPlan Walk(ExecutionPlan rows)
        {
            var keyed = new ProjectionExec(rows, [.. MemoryTableSource.CpuSchema.Fields.Select((f, i) => (Expr)new ColumnExpr(i, f.Name, f.Type)), key],
                new Tsdb.Arrow.Types.Schema([.. MemoryTableSource.CpuSchema.Fields, new Tsdb.Arrow.Types.Field("series", key.Type, true)]));
            var time = MemoryTableSource.CpuSchema.Fields.ToList().FindIndex(f => f.Name == "time");
            return new SeriesTransformExec(new SortExec(keyed, [new SortExpr(seriesKey, true, false), .. order.Skip(1)], null), [seriesKey.Index], time, [], [], 0, keep, 0, null, null);
        }
        var reduced = Walk(new FirstPerKeyExec(new TestInput(TestPlans.Batches()), [key], order, keep));
        var full = Walk(new TestInput(TestPlans.Batches()));
        var expected = Rows(await Run(full, Context(TestPlans.Source())));
        Assert.Equal(expected, Rows(await Run(reduced, Context(TestPlans.Source()))));
        Assert.Equal((2 * Math.Min(keep, 3)) + Math.Min(keep, 2) + 1, expected.Count);   // a and b (three rows each), c (two) and the null host
    }
}
