namespace Tsdb.Query.Sql;

public sealed record IsNullExpression(Expression Operand, bool Negated, TextSpan Span) : Expression(Span);
