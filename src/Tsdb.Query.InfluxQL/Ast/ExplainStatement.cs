namespace Tsdb.Query.InfluxQL.Ast;

/// <summary><c>EXPLAIN [ANALYZE] [VERBOSE] SELECT …</c>.</summary>
public sealed class ExplainStatement(SelectStatement statement, bool analyze, bool verbose) : Statement
{
    public SelectStatement Statement { get; } = statement;

    public bool Analyze { get; } = analyze;

    public bool Verbose { get; } = verbose;
}
