namespace Tsdb.Query.Sql;

/// <summary>
/// A FROM item the planner made itself and planned already: a decorrelated subquery's rows joined with its outer
/// values. It lets the planner rewrite such a subquery as SQL over those rows and plan it like any other.
/// </summary>
internal sealed record PlannedTableSource(SqlPlanner.Planned From, TextSpan Span) : TableSource(Span);
