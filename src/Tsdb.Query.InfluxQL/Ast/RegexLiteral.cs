namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A <c>/pattern/</c> (Go RE2 syntax; <c>\/</c> resolved to <c>/</c>).</summary>
public sealed class RegexLiteral(string pattern) : InfluxQLExpr
{
    public string Pattern { get; } = pattern;
}
