using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// LIMIT 4 OFFSET 2, which stops reading once it has its rows: cancellation and failure tests use an input that
/// fails or is cancelled before the limit is reached.
/// </summary>
public sealed class FetchLimitExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) => new LimitExec(input, 2, 4);
}
