using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// WindowExec with PARTITION BY and ORDER BY: the rows go through its spilling sort and come out a partition at a time,
/// with a ranking, a frame aggregate and an offset function sharing the one window.
/// </summary>
public sealed class WindowExecConformance : ExecutionPlanConformance
{
    /// <summary>Its sort reserves as "Window sort", the partition in progress as "Window": either failure names the window.</summary>
    internal override string? MemoryConsumer => "Window";

    internal override ExecutionPlan Create(TestInput input)
    {
        var w = TestPlans.Find<WindowPlan>(
            "SELECT host, row_number() OVER (PARTITION BY host ORDER BY time) AS rn, "
            + "sum(usage) OVER (PARTITION BY host ORDER BY time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s, "
            + "lag(n) OVER (PARTITION BY host ORDER BY time) AS previous FROM cpu");
        // The window's expressions are bound to its input: that must be the cpu columns the test input gives.
        Assert.Equal(MemoryTableSource.CpuSchema.Fields.Select(f => f.Name), w.Input.Schema.Fields.Select(f => f.Name));
        Assert.Equal(3, w.Functions.Count);
        return new WindowExec(input, w.PartitionBy, w.OrderBy, w.Functions, w.Schema);
    }
}
