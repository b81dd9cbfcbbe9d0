namespace Tsdb.Query.Sql;

/// <summary>A possibly qualified table name: <c>cpu</c>, <c>information_schema.tables</c>.</summary>
public sealed record ObjectName(IReadOnlyList<Identifier> Parts, TextSpan Span) : SqlNode(Span);
