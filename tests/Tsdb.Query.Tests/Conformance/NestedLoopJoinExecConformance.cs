using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>A join without equality keys: every pair compared.</summary>
public sealed class NestedLoopJoinExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "NestedLoopJoin(build side)";

    internal override ExecutionPlan Create(TestInput input) =>
        HashJoinExecConformance.JoinOver(input, "SELECT * FROM mem JOIN cpu ON mem.usage * 10 < cpu.usage");
}
