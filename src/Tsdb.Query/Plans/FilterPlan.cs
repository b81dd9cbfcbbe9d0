using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>Rows of the input for which the predicate is true.</summary>
public sealed class FilterPlan(LogicalPlan input, Expr predicate) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public Expr Predicate { get; } = predicate;

    public override Schema Schema => Input.Schema;

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new FilterPlan(inputs[0], Predicate);

    public override string Describe() => $"Filter: {Predicate}";
}
