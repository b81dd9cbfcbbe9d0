namespace Tsdb.PromQL.Ast;

internal sealed record BinaryExpr(int Position, BinaryOp Op, Expr Lhs, Expr Rhs, bool ReturnBool, VectorMatching? Matching) : Expr(Position)
{
    public override ExprType Type => Lhs.Type == ExprType.Scalar && Rhs.Type == ExprType.Scalar ? ExprType.Scalar : ExprType.Vector;
}
