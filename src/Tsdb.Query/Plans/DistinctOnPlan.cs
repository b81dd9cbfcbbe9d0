using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>DISTINCT ON (keys): the first row of each key in input order (the input is sorted by ORDER BY when there is one).</summary>
public sealed class DistinctOnPlan(LogicalPlan input, IReadOnlyList<Expr> on) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public IReadOnlyList<Expr> On { get; } = on;

    public override Schema Schema => Input.Schema;

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new DistinctOnPlan(inputs[0], On);

    public override string Describe() => $"DistinctOn: {string.Join(", ", On)}";
}
