namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>-x</c> for a non-literal operand (a minus before a number literal folds into the literal).</summary>
public sealed class UnaryMinusExpr(InfluxQLExpr operand) : InfluxQLExpr
{
    public InfluxQLExpr Operand { get; } = operand;
}
