using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>A scalar subquery's rows: at most one (more is an error), none reads as NULL through the left join above it.</summary>
public sealed class SingleRowPlan(LogicalPlan input) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public override Schema Schema => Input.Schema;

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new SingleRowPlan(inputs[0]);

    public override string Describe() => "SingleRow";
}
