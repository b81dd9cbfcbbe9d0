using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>A scalar subquery's operator over what a scalar subquery is: an aggregate without GROUP BY.</summary>
public sealed class SingleRowExecConformance : ExecutionPlanConformance
{
    internal override long RowsFromEmptyInput => 1;

    internal override string? MemoryConsumer => "HashAggregate";

    internal override ExecutionPlan Create(TestInput input)
    {
        var a = TestPlans.Find<AggregatePlan>("SELECT max(usage) FROM cpu");
        return new SingleRowExec(new HashAggregateExec(input, a.Groups, a.Aggregates, a.Schema));
    }
}
