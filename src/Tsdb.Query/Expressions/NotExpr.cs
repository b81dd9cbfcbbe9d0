using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>Boolean NOT (NULL stays NULL).</summary>
public sealed class NotExpr(Expr operand) : Expr
{
    public Expr Operand { get; } = operand;

    public override ArrowType Type => ArrowType.Boolean;

    public override IReadOnlyList<Expr> Children { get; } = [operand];

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new NotExpr(children[0]) { Location = Location };

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context) => Kernels.Not(Operand.Evaluate(batch, context));

    public override string ToString() => $"NOT {Operand}";
}
