namespace Tsdb.PromQL.Ast;

internal sealed record NumberLiteral(int Position, double Value) : Expr(Position)
{
    public override ExprType Type => ExprType.Scalar;
}
