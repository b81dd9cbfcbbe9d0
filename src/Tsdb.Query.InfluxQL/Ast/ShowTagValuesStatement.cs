namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>
/// <c>SHOW TAG VALUES [ON db] [FROM …] WITH KEY = k | != k | =~ /re/ | !~ /re/ | IN (k1, k2) [WHERE …] [LIMIT n] [OFFSET n]</c>.
/// <see cref="KeyOperator"/> is Equal for both <c>=</c> and <c>IN</c>; <see cref="Keys"/> holds the names, or the one regex.
/// </summary>
public sealed class ShowTagValuesStatement : Statement
{
    public string? Database { get; init; }

    public IReadOnlyList<Source> Sources { get; init; } = [];

    public required BinaryOperator KeyOperator { get; init; }

    /// <summary>The key names (for =, != and IN), or one regex pattern (for =~ and !~).</summary>
    public required IReadOnlyList<string> Keys { get; init; }

    public InfluxQLExpr? Condition { get; init; }

    public long? Limit { get; init; }

    public long? Offset { get; init; }
}
