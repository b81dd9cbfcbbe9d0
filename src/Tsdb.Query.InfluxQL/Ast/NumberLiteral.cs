namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A floating-point literal (<c>1.5</c>, <c>.5</c>, <c>1e3</c>).</summary>
public sealed class NumberLiteral(double value) : InfluxQLExpr
{
    public double Value { get; } = value;
}
