namespace Tsdb.Query.Sql;

/// <summary>
/// <c>name(args)</c>, <c>count(*)</c> (<see cref="Star"/>), <c>count(DISTINCT x)</c> and ordered aggregates such as
/// <c>first_value(x ORDER BY time)</c>; <see cref="Filter"/> is the condition of <c>FILTER (WHERE …)</c>, and
/// <see cref="Over"/> makes the call a window function (<c>lag(x) OVER (PARTITION BY host ORDER BY time)</c>).
/// </summary>
public sealed record FunctionCall(
    Identifier Name,
    IReadOnlyList<Expression> Arguments,
    bool Distinct,
    bool Star,
    IReadOnlyList<OrderByItem> OrderBy,
    TextSpan Span,
    Expression? Filter = null,
    WindowSpec? Over = null) : Expression(Span);
