namespace Tsdb.Query.Sql;

public sealed record IntegerLiteral(long Value, TextSpan Span) : Expression(Span);
