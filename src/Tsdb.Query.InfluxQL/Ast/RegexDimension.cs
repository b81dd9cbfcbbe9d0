namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>GROUP BY /regex/</c>: every tag key the pattern matches.</summary>
public sealed class RegexDimension(string pattern) : Dimension
{
    public string Pattern { get; } = pattern;
}
