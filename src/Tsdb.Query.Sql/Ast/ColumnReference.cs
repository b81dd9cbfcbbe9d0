namespace Tsdb.Query.Sql;

/// <summary>A column, possibly qualified by table (and schema): <c>time</c>, <c>c.usage_user</c>.</summary>
public sealed record ColumnReference(IReadOnlyList<Identifier> Parts, TextSpan Span) : Expression(Span);
