namespace Tsdb.Query.Sql;

/// <summary>
/// A name. Unquoted names are folded to lower case (as DataFusion and PostgreSQL do); "quoted" names keep their
/// case and may hold any character.
/// </summary>
public sealed record Identifier(string Value, bool Quoted, TextSpan Span) : SqlNode(Span);
