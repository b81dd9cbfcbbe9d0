namespace Tsdb.Query.Sql;

public sealed record ExpressionSelectItem(Expression Expression, Identifier? Alias, TextSpan Span) : SelectItem(Span);
