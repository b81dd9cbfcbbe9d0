namespace Tsdb.Query.Sql;

public sealed record WhenClause(Expression Condition, Expression Result, TextSpan Span) : SqlNode(Span);
