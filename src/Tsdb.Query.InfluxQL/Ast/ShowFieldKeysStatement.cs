namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>SHOW FIELD KEYS [ON db] [FROM …] [LIMIT n] [OFFSET n]</c>.</summary>
public sealed class ShowFieldKeysStatement : Statement
{
    public string? Database { get; init; }

    public IReadOnlyList<Source> Sources { get; init; } = [];

    public long? Limit { get; init; }

    public long? Offset { get; init; }
}
