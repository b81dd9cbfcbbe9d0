using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// WindowExec over an empty window (<c>OVER ()</c>): no sort, the whole input is one partition held until its end.
/// </summary>
public sealed class UnorderedWindowExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "Window";

    internal override ExecutionPlan Create(TestInput input)
    {
        var w = TestPlans.Find<WindowPlan>("SELECT host, count(*) OVER () AS total, max(usage) OVER () AS peak FROM cpu");
        Assert.Equal(MemoryTableSource.CpuSchema.Fields.Select(f => f.Name), w.Input.Schema.Fields.Select(f => f.Name));
        Assert.Empty(w.PartitionBy);
        Assert.Empty(w.OrderBy);
        return new WindowExec(input, w.PartitionBy, w.OrderBy, w.Functions, w.Schema);
    }
}
