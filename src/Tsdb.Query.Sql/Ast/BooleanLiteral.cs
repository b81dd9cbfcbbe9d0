namespace Tsdb.Query.Sql;

public sealed record BooleanLiteral(bool Value, TextSpan Span) : Expression(Span);
