namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>SHOW TAG KEYS [ON db] [FROM …] [WHERE …] [LIMIT n] [OFFSET n] [SLIMIT n] [SOFFSET n]</c>.</summary>
public sealed class ShowTagKeysStatement : Statement
{
    public string? Database { get; init; }

    public IReadOnlyList<Source> Sources { get; init; } = [];

    public InfluxQLExpr? Condition { get; init; }

    public long? Limit { get; init; }

    public long? Offset { get; init; }

    public long? SLimit { get; init; }

    public long? SOffset { get; init; }
}
