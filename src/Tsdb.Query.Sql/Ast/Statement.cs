namespace Tsdb.Query.Sql;

public abstract record Statement(TextSpan Span) : SqlNode(Span);
