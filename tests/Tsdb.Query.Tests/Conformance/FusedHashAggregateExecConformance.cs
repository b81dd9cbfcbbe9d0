using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// HashAggregateExec directly over a filtering scan and a projection (the planner's shape for GROUP BY on a table):
/// the scan, filter, projection and partial aggregation run in one task per slice (<see cref="FusedScan"/>), the
/// test input read as table cpu and cut into slices of two rows.
/// </summary>
public sealed class FusedHashAggregateExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "HashAggregate";

    internal override ExecutionPlan Create(TestInput input)
    {
        var a = TestPlans.Find<AggregatePlan>("SELECT host, sum(usage), count(*), min(n), max(time) FROM cpu WHERE usage > 15 OR n = 3 GROUP BY host");
        var filter = (FilterPlan)a.Input;
        var scan = new ScanExec("db", "cpu", MemoryTableSource.CpuSchema, null, null);
        var plan = new HashAggregateExec(new ProjectionExec(new FilterExec(scan, filter.Predicate), ColumnsOf(filter), filter.Schema), a.Groups, a.Aggregates, a.Schema);
        Assert.Contains("fused=[ProjectionExec, FilterExec, ScanExec]", plan.Describe(), StringComparison.Ordinal);
        return plan;
    }

    internal override ITableSource SourceFor(TestInput input)
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, input.Stream);
        return source;
    }

    private static Expressions.Expr[] ColumnsOf(LogicalPlan plan) =>
        [.. plan.Schema.Fields.Select((f, i) => (Expressions.Expr)new Expressions.ColumnExpr(i, f.Name, f.Type))];

    [Fact]
    public async Task Slices_aggregate_as_whole_batches_through_separate_operators()
    {
        var a = TestPlans.Find<AggregatePlan>("SELECT host, sum(usage), count(*), min(n), max(time) FROM cpu WHERE usage > 15 OR n = 3 GROUP BY host");
        var input = new TestInput(TestPlans.Batches());
        var separate = new HashAggregateExec(new FilterExec(input, ((FilterPlan)a.Input).Predicate), a.Groups, a.Aggregates, a.Schema);
        Assert.DoesNotContain("fused", separate.Describe(), StringComparison.Ordinal);
        Assert.Equal(Rows(await Run(separate, Context(TestPlans.Source()))), await Expected());
    }

    [Fact]
    public async Task The_fused_operators_count_their_own_rows()
    {
        var input = new TestInput(TestPlans.Batches());
        var plan = Create(input);
        await Run(plan, Context(SourceFor(input)));
        var projection = plan.Children[0];
        var filter = projection.Children[0];
        var scan = filter.Children[0];
        // 9 rows in slices of at most 2 (4 → 2 + 2, 0, 2, 3 → 2 + 1); 7 pass the filter, one or more in each slice.
        Assert.Equal(9, scan.Metrics.OutputRows);
        Assert.Equal(5, scan.Metrics.OutputBatches);
        Assert.Equal(7, filter.Metrics.OutputRows);
        Assert.Equal(5, filter.Metrics.OutputBatches);
        Assert.Equal(7, projection.Metrics.OutputRows);
        Assert.Equal(5, projection.Metrics.OutputBatches);
        Assert.Contains("ScanExec: table=cpu", plan.Display(withMetrics: true), StringComparison.Ordinal);
        Assert.Contains("output_rows=9, output_batches=5", plan.Display(withMetrics: true), StringComparison.Ordinal);
    }
}
