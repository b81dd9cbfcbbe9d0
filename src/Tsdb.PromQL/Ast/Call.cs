namespace Tsdb.PromQL.Ast;

internal sealed record Call(int Position, FunctionInfo Function, IReadOnlyList<Expr> Args) : Expr(Position)
{
    public override ExprType Type => Function.ReturnType;
}
