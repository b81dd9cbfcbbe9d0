using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>UNION ALL: the inputs' rows one after another, under one schema (types unified by the planner's casts).</summary>
public sealed class UnionPlan(IReadOnlyList<LogicalPlan> inputs, Schema schema) : LogicalPlan
{
    public override Schema Schema { get; } = schema;

    public override IReadOnlyList<LogicalPlan> Inputs { get; } = inputs;

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new UnionPlan(inputs, Schema);

    public override string Describe() => "Union";
}
