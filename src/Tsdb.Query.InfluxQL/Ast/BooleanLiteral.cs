namespace Tsdb.Query.InfluxQL.Ast;

public sealed class BooleanLiteral(bool value) : InfluxQLExpr
{
    public bool Value { get; } = value;
}
