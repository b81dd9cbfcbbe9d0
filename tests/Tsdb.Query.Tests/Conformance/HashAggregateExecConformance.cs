using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

public sealed class HashAggregateExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "HashAggregate";

    internal override ExecutionPlan Create(TestInput input)
    {
        var a = TestPlans.Find<AggregatePlan>("SELECT host, sum(usage), count(*), min(n), max(time) FROM cpu GROUP BY host");
        return new HashAggregateExec(input, a.Groups, a.Aggregates, a.Schema);
    }
}
