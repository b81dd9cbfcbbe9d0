namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>SHOW SERIES [ON db] [FROM …] [WHERE …] [LIMIT n] [OFFSET n]</c>.</summary>
public sealed class ShowSeriesStatement : Statement
{
    public string? Database { get; init; }

    public IReadOnlyList<Source> Sources { get; init; } = [];

    public InfluxQLExpr? Condition { get; init; }

    public long? Limit { get; init; }

    public long? Offset { get; init; }
}
