namespace Tsdb.Query.Sql;

public sealed record ShowColumnsStatement(ObjectName Table, TextSpan Span) : Statement(Span);
