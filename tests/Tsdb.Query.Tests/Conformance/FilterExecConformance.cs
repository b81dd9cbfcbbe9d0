using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

public sealed class FilterExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) =>
        new FilterExec(input, TestPlans.Find<FilterPlan>("SELECT * FROM cpu WHERE usage > 15 AND host <> 'c'").Predicate);
}
