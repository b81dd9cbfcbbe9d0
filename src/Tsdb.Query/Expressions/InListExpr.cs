using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>x [NOT] IN (a, b, …): a flat OR of equalities, evaluated without nesting (long lists stay shallow).</summary>
public sealed class InListExpr(Expr operand, IReadOnlyList<Expr> values, bool negated) : Expr
{
    public Expr Operand { get; } = operand;

    public IReadOnlyList<Expr> Values { get; } = values;

    public bool Negated { get; } = negated;

    public override ArrowType Type => ArrowType.Boolean;

    public override IReadOnlyList<Expr> Children { get; } = [operand, .. values];

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new InListExpr(children[0], [.. children.Skip(1)], Negated) { Location = Location };

    // A list of string constants (no null among them) over a string column is tested in one pass (Membership).
    private readonly string[]? _strings = values.All(v => v is LiteralExpr { Value: string }) ? [.. values.Select(v => (string)((LiteralExpr)v).Value!)] : null;

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context)
    {
        var n = batch.Length;
        var operand = Operand.Evaluate(batch, context);
        if (_strings is not null && operand.Array is { } column && Membership.In(column, _strings) is { } found)
        {
            var membership = ColumnarValue.Of(found);
            return Negated ? Kernels.Not(membership) : membership;
        }
        ColumnarValue? any = null;
        foreach (var item in Values)
        {
            var eq = Kernels.Compare(operand, item.Evaluate(batch, context), ComparisonOp.Equal, n);
            any = any is null ? eq : Kernels.Or(any.Value, eq, n);
        }
        var result = any ?? ColumnarValue.Constant(false);
        return Negated ? Kernels.Not(result) : result;
    }

    public override string ToString() => $"{Operand} {(Negated ? "NOT " : "")}IN ({string.Join(", ", Values)})";
}
