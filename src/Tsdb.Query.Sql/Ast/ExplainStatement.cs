namespace Tsdb.Query.Sql;

public sealed record ExplainStatement(bool Analyze, bool Verbose, Statement Statement, TextSpan Span) : Statement(Span);
