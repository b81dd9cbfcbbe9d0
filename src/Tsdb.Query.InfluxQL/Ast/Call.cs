namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A function call; <see cref="Name"/> is lower case. <c>SELECT DISTINCT x</c> and <c>count(DISTINCT x)</c> parse as <c>distinct(x)</c>.</summary>
public sealed class Call(string name, IReadOnlyList<InfluxQLExpr> args) : InfluxQLExpr
{
    public string Name { get; } = name;

    public IReadOnlyList<InfluxQLExpr> Args { get; } = args;
}
