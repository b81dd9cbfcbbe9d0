namespace Tsdb.Query.Sql;

/// <summary>A query parameter <c>$name</c>, bound from the request's params.</summary>
public sealed record ParameterExpression(string Name, TextSpan Span) : Expression(Span);
