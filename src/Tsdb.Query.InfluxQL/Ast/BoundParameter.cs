namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A <c>$name</c> placeholder, bound from the request's <c>params</c>.</summary>
public sealed class BoundParameter(string name) : InfluxQLExpr
{
    public string Name { get; } = name;
}
