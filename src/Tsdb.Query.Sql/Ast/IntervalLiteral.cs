namespace Tsdb.Query.Sql;

/// <summary><c>INTERVAL '1 minute'</c>; the text is kept as written for the planner to interpret.</summary>
public sealed record IntervalLiteral(string Value, TextSpan Span) : Expression(Span);
