namespace Tsdb.Query.Sql;

/// <summary>An ORDER BY key; <see cref="NullsFirst"/> is null when NULLS FIRST/LAST was not written.</summary>
public sealed record OrderByItem(Expression Expression, bool Descending, bool? NullsFirst, TextSpan Span) : SqlNode(Span);
