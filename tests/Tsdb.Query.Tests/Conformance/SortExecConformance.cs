using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

public sealed class SortExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "Sort";

    internal override ExecutionPlan Create(TestInput input) =>
        new SortExec(input, TestPlans.Find<SortPlan>("SELECT * FROM cpu ORDER BY usage DESC NULLS FIRST, time").Keys, null);

    [Fact]
    public async Task A_pool_that_holds_some_batches_spills_and_gives_the_same_answer()
    {
        var expected = await Expected();
        var input = new TestInput(TestPlans.Batches());
        // Room for about one input batch with its sort keys: the rest of the input has to go to disk.
        var context = Context(SourceFor(input), memory: 2 * TestPlans.Batches().Max(QueryMemoryPool.SizeOf));
        var plan = Create(input);
        Assert.Equal(expected, Rows(await Run(plan, context)));
        Assert.True(plan.Metrics.Spills > 0, "the sort did not spill");
        Assert.Equal(0, context.Memory.Used);
    }
}
