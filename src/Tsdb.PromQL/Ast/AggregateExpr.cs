namespace Tsdb.PromQL.Ast;

internal sealed record AggregateExpr(int Position, AggregationOp Op, Expr Inner, Expr? Parameter, IReadOnlyList<string> Grouping, bool Without) : Expr(Position)
{
    public override ExprType Type => ExprType.Vector;
}
