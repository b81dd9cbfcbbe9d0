namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>FROM (SELECT …)</c>.</summary>
public sealed class SubquerySource(SelectStatement statement) : Source
{
    public SelectStatement Statement { get; } = statement;
}
