namespace Tsdb.Query.Sql;

public abstract record Expression(TextSpan Span) : SqlNode(Span);
