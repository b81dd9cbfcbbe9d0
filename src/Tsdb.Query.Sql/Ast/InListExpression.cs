namespace Tsdb.Query.Sql;

public sealed record InListExpression(Expression Operand, IReadOnlyList<Expression> Values, bool Negated, TextSpan Span)
    : Expression(Span);
