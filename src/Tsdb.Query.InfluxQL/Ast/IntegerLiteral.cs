namespace Tsdb.Query.InfluxQL.Ast;

public sealed class IntegerLiteral(long value) : InfluxQLExpr
{
    public long Value { get; } = value;
}
