namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>*</c> in a field list or as a function argument (<c>mean(*)</c>).</summary>
public sealed class Wildcard(WildcardType type = WildcardType.All) : InfluxQLExpr
{
    public WildcardType Type { get; } = type;
}
