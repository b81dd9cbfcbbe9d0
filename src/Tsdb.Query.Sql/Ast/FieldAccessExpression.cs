namespace Tsdb.Query.Sql;

/// <summary><c>operand['field']</c>: a field of a struct value, as in <c>selector_last(v, time)['value']</c>.</summary>
public sealed record FieldAccessExpression(Expression Operand, string Field, TextSpan Span) : Expression(Span);
