namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A parenthesised expression (kept so the printer writes the query back as it was grouped).</summary>
public sealed class ParenExpr(InfluxQLExpr inner) : InfluxQLExpr
{
    public InfluxQLExpr Inner { get; } = inner;
}
