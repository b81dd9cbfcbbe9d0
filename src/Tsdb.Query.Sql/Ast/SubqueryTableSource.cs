namespace Tsdb.Query.Sql;

public sealed record SubqueryTableSource(QueryStatement Query, Identifier? Alias, TextSpan Span) : TableSource(Span);
