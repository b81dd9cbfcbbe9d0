namespace Tsdb.Query.Sql;

public sealed record ShowTablesStatement(TextSpan Span) : Statement(Span);
