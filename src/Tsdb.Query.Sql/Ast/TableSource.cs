namespace Tsdb.Query.Sql;

public abstract record TableSource(TextSpan Span) : SqlNode(Span);
