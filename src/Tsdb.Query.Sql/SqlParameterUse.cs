namespace Tsdb.Query.Sql;

/// <summary>A <c>$name</c> placeholder in statement text: its name (without the <c>$</c>) and where it is (1-based).</summary>
public sealed record SqlParameterUse(string Name, int Line, int Column);
