using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>HashAggregateExec without GROUP BY: one row even over no input.</summary>
public sealed class UngroupedAggregateConformance : ExecutionPlanConformance
{
    internal override long RowsFromEmptyInput => 1;

    internal override string? MemoryConsumer => "HashAggregate";

    internal override ExecutionPlan Create(TestInput input)
    {
        var a = TestPlans.Find<AggregatePlan>("SELECT count(*), avg(usage), max(host) FROM cpu");
        return new HashAggregateExec(input, a.Groups, a.Aggregates, a.Schema);
    }
}
