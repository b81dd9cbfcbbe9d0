using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

public sealed class DistinctOnExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "DistinctOn(keys)";

    internal override ExecutionPlan Create(TestInput input) =>
        new DistinctOnExec(input, TestPlans.Find<DistinctOnPlan>("SELECT DISTINCT ON (host) * FROM cpu").On);
}
