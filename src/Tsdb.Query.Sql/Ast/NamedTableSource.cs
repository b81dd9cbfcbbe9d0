namespace Tsdb.Query.Sql;

public sealed record NamedTableSource(ObjectName Name, Identifier? Alias, TextSpan Span) : TableSource(Span);
