namespace Tsdb.Query.Sql;

/// <summary>
/// <c>EXTRACT(field FROM operand)</c>, which the planner binds as <c>date_part('field', operand)</c>. The field may
/// be written as a name (<c>year</c>) or, as DataFusion also accepts, a string (<c>'year'</c>); a string is kept as
/// a quoted identifier, its text as written, and prints back as a string.
/// </summary>
public sealed record ExtractExpression(Identifier Field, Expression Operand, TextSpan Span) : Expression(Span);
