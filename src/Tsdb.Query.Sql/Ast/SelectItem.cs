namespace Tsdb.Query.Sql;

public abstract record SelectItem(TextSpan Span) : SqlNode(Span);
