namespace Tsdb.PromQL.Ast;

internal sealed record StringLiteral(int Position, string Value) : Expr(Position)
{
    public override ExprType Type => ExprType.String;
}
