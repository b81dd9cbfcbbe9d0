namespace Tsdb.Query.Sql;

public sealed record ScalarSubquery(QueryStatement Query, TextSpan Span) : Expression(Span);
