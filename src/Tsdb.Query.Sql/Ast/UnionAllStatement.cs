namespace Tsdb.Query.Sql;

/// <summary>UNION ALL of two or more queries; ORDER BY, LIMIT and OFFSET apply to the whole.</summary>
public sealed record UnionAllStatement(
    IReadOnlyList<CommonTableExpression> With,
    IReadOnlyList<QueryStatement> Inputs,
    IReadOnlyList<OrderByItem> OrderBy,
    Expression? Limit,
    Expression? Offset,
    TextSpan Span) : QueryStatement(Span);
