namespace Tsdb.Query.Sql;

/// <summary><c>name [(columns)] AS (query)</c> in a WITH clause.</summary>
public sealed record CommonTableExpression(Identifier Name, IReadOnlyList<Identifier> Columns, QueryStatement Query, TextSpan Span)
    : SqlNode(Span);
