namespace Tsdb.Query.Sql;

public sealed record NullLiteral(TextSpan Span) : Expression(Span);
