namespace Tsdb.Query.Sql;

public sealed record InSubqueryExpression(Expression Operand, QueryStatement Query, bool Negated, TextSpan Span)
    : Expression(Span);
