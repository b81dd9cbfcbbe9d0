namespace Tsdb.Query.Sql;

/// <summary>A join; <see cref="On"/> is null only for CROSS JOIN (and the comma form, read as a cross join).</summary>
public sealed record JoinTableSource(JoinKind Kind, TableSource Left, TableSource Right, Expression? On, TextSpan Span)
    : TableSource(Span);
