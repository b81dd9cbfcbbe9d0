namespace Tsdb.Query.Sql;

/// <summary>A statement that yields rows: a SELECT or a UNION ALL of them; usable as a subquery.</summary>
public abstract record QueryStatement(TextSpan Span) : Statement(Span);
