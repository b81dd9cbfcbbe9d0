using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// FirstPerKeyExec directly over a filtering scan (lastpoint's shape): scan, filter and the per-key reduction run in
/// one task per slice (<see cref="FusedScan"/>), the test input read as table cpu and cut into slices of two rows.
/// </summary>
public sealed class FusedFirstPerKeyExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input)
    {
        var d = TestPlans.Find<DistinctOnPlan>("SELECT DISTINCT ON (host) * FROM cpu ORDER BY host, time DESC");
        var scan = new ScanExec("db", "cpu", MemoryTableSource.CpuSchema, TestPlans.Find<FilterPlan>("SELECT * FROM cpu WHERE usage > 15 OR n = 3").Predicate, null);
        var plan = new FirstPerKeyExec(scan, d.On, ((SortPlan)d.Input).Keys);
        Assert.Contains("fused=[ScanExec]", plan.Describe(), StringComparison.Ordinal);
        return plan;
    }

    internal override ITableSource SourceFor(TestInput input)
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, input.Stream);
        return source;
    }

    [Fact]
    public async Task Slices_reduce_as_whole_batches_through_separate_operators()
    {
        var d = TestPlans.Find<DistinctOnPlan>("SELECT DISTINCT ON (host) * FROM cpu ORDER BY host, time DESC");
        var keys = ((SortPlan)d.Input).Keys;
        var input = new TestInput(TestPlans.Batches());
        var separate = new FirstPerKeyExec(new FilterExec(input, TestPlans.Find<FilterPlan>("SELECT * FROM cpu WHERE usage > 15 OR n = 3").Predicate), d.On, keys);
        // Slices keep more rows than whole batches (one per key per slice), so compare what DISTINCT ON keeps after the sort.
        var fusedInput = new TestInput(TestPlans.Batches());
        var fused = new DistinctOnExec(new SortExec(Create(fusedInput), keys, null), d.On);
        var whole = new DistinctOnExec(new SortExec(separate, keys, null), d.On);
        Assert.Equal(Rows(await Run(whole, Context(TestPlans.Source()))), Rows(await Run(fused, Context(SourceFor(fusedInput)))));
    }
}
