namespace Tsdb.Query.Sql;

/// <summary>CASE: simple when <see cref="Operand"/> is set (WHEN values compared to it), searched otherwise.</summary>
public sealed record CaseExpression(Expression? Operand, IReadOnlyList<WhenClause> Whens, Expression? Else, TextSpan Span)
    : Expression(Span);
