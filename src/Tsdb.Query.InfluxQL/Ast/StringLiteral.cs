namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A single-quoted string (escapes resolved). Compared with <c>time</c> it is a timestamp, which the planner parses.</summary>
public sealed class StringLiteral(string value) : InfluxQLExpr
{
    public string Value { get; } = value;
}
