namespace Tsdb.Query.InfluxQL.Ast;

public sealed class BinaryExpr(BinaryOperator op, InfluxQLExpr left, InfluxQLExpr right) : InfluxQLExpr
{
    public BinaryOperator Op { get; } = op;

    public InfluxQLExpr Left { get; } = left;

    public InfluxQLExpr Right { get; } = right;
}
