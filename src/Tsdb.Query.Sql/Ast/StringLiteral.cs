namespace Tsdb.Query.Sql;

public sealed record StringLiteral(string Value, TextSpan Span) : Expression(Span);
