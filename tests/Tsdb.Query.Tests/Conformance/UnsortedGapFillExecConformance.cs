using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// GapFillExec straight over the test input, without the sort the planner puts under it, so that its own reservation
/// (the series still open at the end of a batch) is what a too-small pool trips and what early disposal must give
/// back. The input is not sorted, so a host's rows make several short series; the contract holds whatever the rows.
/// </summary>
public sealed class UnsortedGapFillExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "GapFill";

    internal override ExecutionPlan Create(TestInput input) => GapFillExecConformance.Over(input, GapFillExecConformance.Plan());
}
