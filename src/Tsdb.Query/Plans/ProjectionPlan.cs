using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>One output column per expression, named.</summary>
public sealed class ProjectionPlan(LogicalPlan input, IReadOnlyList<Expr> exprs, IReadOnlyList<string> names) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public IReadOnlyList<Expr> Exprs { get; } = exprs;

    public IReadOnlyList<string> Names { get; } = names;

    public override Schema Schema { get; } = new(exprs.Select((e, i) => new Field(names[i], e.Type)));

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new ProjectionPlan(inputs[0], Exprs, Names);

    public override string Describe() =>
        "Projection: " + string.Join(", ", Exprs.Select((e, i) => e is ColumnExpr c && c.Name == Names[i] ? c.Name : $"{e} AS {Names[i]}"));
}
