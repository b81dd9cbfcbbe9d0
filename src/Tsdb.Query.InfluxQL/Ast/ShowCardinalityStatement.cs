namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>
/// <c>SHOW [SERIES | MEASUREMENT | TAG KEY | FIELD KEY] [EXACT] CARDINALITY [ON db] [FROM …] [WHERE …]</c> and
/// <c>SHOW TAG VALUES [EXACT] CARDINALITY … WITH KEY …</c> (key operator and keys as <see cref="ShowTagValuesStatement"/>).
/// </summary>
public sealed class ShowCardinalityStatement : Statement
{
    public required CardinalityKind Kind { get; init; }

    public bool Exact { get; init; }

    public string? Database { get; init; }

    public IReadOnlyList<Source> Sources { get; init; } = [];

    public InfluxQLExpr? Condition { get; init; }

    public BinaryOperator? KeyOperator { get; init; }

    public IReadOnlyList<string> Keys { get; init; } = [];
}
