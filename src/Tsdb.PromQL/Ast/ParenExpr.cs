namespace Tsdb.PromQL.Ast;

internal sealed record ParenExpr(int Position, Expr Inner) : Expr(Position)
{
    public override ExprType Type => Inner.Type;
}
