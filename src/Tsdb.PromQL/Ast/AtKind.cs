namespace Tsdb.PromQL.Ast;

/// <summary>The <c>@</c> modifier: absent, a fixed time, or the query's start/end.</summary>
internal enum AtKind
{
    None,
    Timestamp,
    Start,
    End,
}
