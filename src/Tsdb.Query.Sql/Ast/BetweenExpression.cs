namespace Tsdb.Query.Sql;

public sealed record BetweenExpression(Expression Operand, Expression Low, Expression High, bool Negated, TextSpan Span)
    : Expression(Span);
