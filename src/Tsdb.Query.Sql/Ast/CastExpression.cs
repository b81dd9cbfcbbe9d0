namespace Tsdb.Query.Sql;

public sealed record CastExpression(Expression Operand, SqlType Type, CastSyntax Syntax, TextSpan Span) : Expression(Span);
