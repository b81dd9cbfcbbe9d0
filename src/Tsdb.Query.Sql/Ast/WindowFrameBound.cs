namespace Tsdb.Query.Sql;

/// <summary>One end of a window frame; <see cref="Offset"/> is the n of <c>n PRECEDING</c> / <c>n FOLLOWING</c>.</summary>
public sealed record WindowFrameBound(WindowFrameBoundKind Kind, Expression? Offset, TextSpan Span) : SqlNode(Span);
