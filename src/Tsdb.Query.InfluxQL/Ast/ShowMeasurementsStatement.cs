namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT =|!=|=~|!~ name|/re/] [WHERE …] [LIMIT n] [OFFSET n]</c>.</summary>
public sealed class ShowMeasurementsStatement : Statement
{
    public string? Database { get; init; }

    /// <summary>The WITH MEASUREMENT operator (Equal, NotEqual, RegexMatch or RegexNotMatch) and operand (a name or a regex literal).</summary>
    public (BinaryOperator Op, InfluxQLExpr Operand)? WithMeasurement { get; init; }

    public InfluxQLExpr? Condition { get; init; }

    public long? Limit { get; init; }

    public long? Offset { get; init; }
}
