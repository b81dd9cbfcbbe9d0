using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>IS [NOT] NULL.</summary>
public sealed class IsNullExpr(Expr operand, bool negated) : Expr
{
    public Expr Operand { get; } = operand;

    public bool Negated { get; } = negated;

    public override ArrowType Type => ArrowType.Boolean;

    public override IReadOnlyList<Expr> Children { get; } = [operand];

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new IsNullExpr(children[0], Negated) { Location = Location };

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context)
    {
        var v = Operand.Evaluate(batch, context);
        if (v.IsScalar)
        {
            return ColumnarValue.Constant((v.Scalar is null) != Negated);
        }
        return ColumnarValue.Of(Negated ? Logical.IsNotNull(v.Array!) : Logical.IsNull(v.Array!));
    }

    public override string ToString() => $"{Operand} IS {(Negated ? "NOT " : "")}NULL";
}
