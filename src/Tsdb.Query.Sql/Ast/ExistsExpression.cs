namespace Tsdb.Query.Sql;

/// <summary>EXISTS (query); NOT EXISTS is a NOT around it.</summary>
public sealed record ExistsExpression(QueryStatement Query, TextSpan Span) : Expression(Span);
