using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>SortExec with a fetch (ORDER BY … LIMIT): a bounded top-K.</summary>
public sealed class TopKSortExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "Sort";

    internal override ExecutionPlan Create(TestInput input) =>
        new SortExec(input, TestPlans.Find<SortPlan>("SELECT * FROM cpu ORDER BY host, time DESC").Keys, 3);
}
