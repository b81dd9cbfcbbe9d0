using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>
/// Window functions sharing one PARTITION BY / ORDER BY: the input's columns, then one column per function. Rows come
/// out ordered by the partition keys, then the order keys (the planner stacks one node per distinct window).
/// </summary>
public sealed class WindowPlan(LogicalPlan input, IReadOnlyList<Expr> partitionBy, IReadOnlyList<SortExpr> orderBy, IReadOnlyList<WindowExpr> functions) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public IReadOnlyList<Expr> PartitionBy { get; } = partitionBy;

    public IReadOnlyList<SortExpr> OrderBy { get; } = orderBy;

    public IReadOnlyList<WindowExpr> Functions { get; } = functions;

    public override Schema Schema { get; } = new([.. input.Schema.Fields, .. functions.Select(f => new Field(f.Name, f.Type))]);

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new WindowPlan(inputs[0], PartitionBy, OrderBy, Functions);

    public override string Describe() =>
        $"Window: partitionBy=[{string.Join(", ", PartitionBy)}], orderBy=[{string.Join(", ", OrderBy)}], functions=[{string.Join(", ", Functions)}]";
}
