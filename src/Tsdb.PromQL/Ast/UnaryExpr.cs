namespace Tsdb.PromQL.Ast;

/// <summary>Unary minus (unary plus is dropped by the parser).</summary>
internal sealed record UnaryExpr(int Position, Expr Operand) : Expr(Position)
{
    public override ExprType Type => Operand.Type;
}
