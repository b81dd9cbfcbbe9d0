namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>An integer literal too large for a signed 64-bit integer.</summary>
public sealed class UnsignedLiteral(ulong value) : InfluxQLExpr
{
    public ulong Value { get; } = value;
}
