namespace Tsdb.PromQL.Ast;

/// <summary><c>selector[range]</c>; offset and @ live on the inner selector, as in Prometheus.</summary>
internal sealed record MatrixSelector(int Position, VectorSelector Selector, long RangeMs) : Expr(Position)
{
    public override ExprType Type => ExprType.Matrix;
}
