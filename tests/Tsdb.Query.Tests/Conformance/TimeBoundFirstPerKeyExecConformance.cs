using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// FirstPerKeyExec directly over an unfiltered scan, rows kept by time alone (lastpoint): a first pass over the keys
/// and times finds the oldest time a kept row can have, and the second pass asks storage for that range only.
/// </summary>
public sealed class TimeBoundFirstPerKeyExecConformance : ExecutionPlanConformance
{
    private static (DistinctOnPlan Distinct, IReadOnlyList<SortExpr> Order) Lastpoint()
    {
        var d = TestPlans.Find<DistinctOnPlan>("SELECT DISTINCT ON (host) * FROM cpu ORDER BY host, time DESC");
        return (d, ((SortPlan)d.Input).Keys);
    }

    internal override ExecutionPlan Create(TestInput input)
    {
        var (d, order) = Lastpoint();
        var plan = new FirstPerKeyExec(new ScanExec("db", "cpu", MemoryTableSource.CpuSchema, null, null), d.On, order);
        Assert.Contains("time_bound_first=[host, time]", plan.Describe(), StringComparison.Ordinal);
        return plan;
    }

    internal override ITableSource SourceFor(TestInput input)
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, input.Stream);
        return source;
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    public async Task The_bounded_second_pass_keeps_what_one_pass_keeps(int keep, bool descending)
    {
        var d = TestPlans.Find<DistinctOnPlan>($"SELECT DISTINCT ON (host) * FROM cpu ORDER BY host, time {(descending ? "DESC" : "ASC")}");
        var order = ((SortPlan)d.Input).Keys;
        var bounded = new FirstPerKeyExec(new ScanExec("db", "cpu", MemoryTableSource.CpuSchema, null, null), d.On, order, keep);
        var onePass = new FirstPerKeyExec(new TestInput(TestPlans.Batches()), d.On, order, keep);
        Assert.DoesNotContain("time_bound_first", onePass.Describe(), StringComparison.Ordinal);
        var source = TestPlans.Source();
        // Both keep at least each host's first rows in ORDER BY order (more where batches split a host): compare those.
        static List<string> FirstPerHost(List<string> sorted, int keep) =>
            [.. sorted.GroupBy(r => r[..r.IndexOf('|', StringComparison.Ordinal)]).SelectMany(g => g.Take(keep))];
        var expected = FirstPerHost(Rows(await Run(new SortExec(onePass, order, null), Context(source))), keep);
        Assert.Equal(expected, FirstPerHost(Rows(await Run(new SortExec(bounded, order, null), Context(source))), keep));
        // The last request is the second pass: every column, under the bound the first pass found.
        var request = source.LastRequest!;
        Assert.Equal(MemoryTableSource.CpuSchema.FieldCount, request.Columns!.Count);
        Assert.NotNull(descending ? request.FromTime : request.ToTime);
        Assert.NotEmpty(expected);
    }

    [Fact]
    public async Task A_filter_on_the_keys_applies_in_the_first_pass()
    {
        var (d, order) = Lastpoint();
        var filter = TestPlans.Find<FilterPlan>("SELECT * FROM cpu WHERE host <> 'b'").Predicate;
        var plan = new FirstPerKeyExec(new ScanExec("db", "cpu", MemoryTableSource.CpuSchema, filter, null), d.On, order);
        Assert.Contains("time_bound_first", plan.Describe(), StringComparison.Ordinal);
        var source = TestPlans.Source();
        var rows = Rows(await Run(new DistinctOnExec(new SortExec(plan, order, null), d.On), Context(source)));
        // Host a's newest row is at 180 s, c's at 180 s; b (newest at 240 s) is filtered out, so the bound is 180 s.
        Assert.Equal(2, rows.Count);
        Assert.Equal(TestPlans.T0 + (180 * 1_000_000_000L), source.LastRequest!.FromTime);
    }
}
