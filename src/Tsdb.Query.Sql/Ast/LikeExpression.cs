namespace Tsdb.Query.Sql;

/// <summary>LIKE, or ILIKE when <see cref="CaseInsensitive"/>.</summary>
public sealed record LikeExpression(Expression Operand, Expression Pattern, bool CaseInsensitive, bool Negated, TextSpan Span)
    : Expression(Span);
