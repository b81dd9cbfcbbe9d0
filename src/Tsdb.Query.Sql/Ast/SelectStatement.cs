namespace Tsdb.Query.Sql;

/// <summary>
/// One SELECT. <see cref="DistinctOn"/> is non-null for DISTINCT ON (…); <see cref="GroupBy"/> and
/// <see cref="OrderBy"/> items may be integer literals, meaning 1-based positions in the select list.
/// </summary>
public sealed record SelectStatement(
    IReadOnlyList<CommonTableExpression> With,
    bool Distinct,
    IReadOnlyList<Expression>? DistinctOn,
    IReadOnlyList<SelectItem> Projection,
    TableSource? From,
    Expression? Where,
    IReadOnlyList<Expression> GroupBy,
    Expression? Having,
    IReadOnlyList<OrderByItem> OrderBy,
    Expression? Limit,
    Expression? Offset,
    TextSpan Span) : QueryStatement(Span);
