namespace Tsdb.Query.Sql;

/// <summary><c>ROWS|RANGE|GROUPS BETWEEN start AND end</c>; the short form <c>ROWS start</c> has <see cref="End"/> CURRENT ROW.</summary>
public sealed record WindowFrame(WindowFrameUnits Units, WindowFrameBound Start, WindowFrameBound End, TextSpan Span) : SqlNode(Span);
