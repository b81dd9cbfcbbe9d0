using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>A projection with a tag, arithmetic, an untyped NULL, a cast and a string function.</summary>
public sealed class ProjectionExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input)
    {
        var p = TestPlans.Find<ProjectionPlan>("SELECT host, usage * 2 AS twice, NULL AS nothing, CAST(n AS DOUBLE) AS d, concat(host, '-x') AS s, time FROM cpu");
        return new ProjectionExec(input, p.Exprs, p.Schema);
    }
}
