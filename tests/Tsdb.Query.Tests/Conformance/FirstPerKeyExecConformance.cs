using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

public sealed class FirstPerKeyExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input)
    {
        var d = TestPlans.Find<DistinctOnPlan>("SELECT DISTINCT ON (host) * FROM cpu ORDER BY host, time DESC");
        return new FirstPerKeyExec(input, d.On, ((SortPlan)d.Input).Keys);
    }
}
