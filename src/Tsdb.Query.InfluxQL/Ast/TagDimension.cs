namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A tag key to group series by (identifier or double-quoted, with an optional <c>::tag</c>).</summary>
public sealed class TagDimension(string name) : Dimension
{
    public string Name { get; } = name;
}
