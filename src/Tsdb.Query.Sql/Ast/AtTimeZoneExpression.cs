namespace Tsdb.Query.Sql;

/// <summary>
/// <c>operand AT TIME ZONE zone</c>, which the planner binds as <c>tz(operand, zone)</c>: the wall-clock time in
/// that zone, as a timestamp without zone.
/// </summary>
public sealed record AtTimeZoneExpression(Expression Operand, Expression Zone, TextSpan Span) : Expression(Span);
