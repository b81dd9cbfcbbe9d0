namespace Tsdb.Query.Sql;

/// <summary><c>DELETE FROM table [WHERE condition]</c>: removes the rows written so far that match.</summary>
public sealed record DeleteStatement(ObjectName Table, Expression? Where, TextSpan Span) : Statement(Span);
