using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>A left join: the preserved side's rows come out even when the build side is empty.</summary>
public sealed class LeftHashJoinExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "HashJoin(build side)";

    internal override long RowsFromEmptyInput => 2;

    internal override ExecutionPlan Create(TestInput input) =>
        HashJoinExecConformance.JoinOver(input, "SELECT * FROM mem LEFT JOIN cpu ON mem.host = cpu.host AND cpu.usage > 15");
}
