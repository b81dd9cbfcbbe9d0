using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>OFFSET 1 with a LIMIT larger than the input, so the operator streams rather than stopping early.</summary>
public sealed class LimitExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) => new LimitExec(input, 1, 1_000_000);
}
