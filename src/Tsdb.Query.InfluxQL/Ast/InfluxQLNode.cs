namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A node of a parsed InfluxQL statement. <see cref="Position"/> is its offset in the query text (UTF-16 code units).</summary>
public abstract class InfluxQLNode
{
    public int Position { get; init; }

    /// <summary>The node as InfluxQL text that parses back to an equal tree.</summary>
    public override string ToString() => InfluxQLPrinter.Print(this);
}
