using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>Unary minus on a number or an interval.</summary>
public sealed class NegateExpr(Expr operand) : Expr
{
    public Expr Operand { get; } = operand;

    public override ArrowType Type => Operand.Type;

    public override IReadOnlyList<Expr> Children { get; } = [operand];

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new NegateExpr(children[0]) { Location = Location };

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context)
    {
        var v = Operand.Evaluate(batch, context);
        if (v.IsScalar)
        {
            return ColumnarValue.Constant(v.Scalar switch
            {
                null => null,
                long l => l == long.MinValue ? throw new QueryException("integer overflow") : -l,
                double d => -d,
                IntervalScalar i => new IntervalScalar(-i.Nanos),
                _ => throw new QueryException("cannot negate this value"),
            });
        }
        return ColumnarValue.Of(Tsdb.Arrow.Compute.Arithmetic.Multiply(v.Array!, Kernels.IsFloat(v.Array!.Type) ? -1.0 : (object)-1L));
    }

    public override string ToString() => $"(- {Operand})";
}
