namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>
/// <c>time(interval[, offset])</c>. <see cref="Interval"/> is a duration literal (or a <c>$param</c>);
/// <see cref="Offset"/> is a duration literal (possibly negative) or <c>now()</c>.
/// </summary>
public sealed class TimeDimension(InfluxQLExpr interval, InfluxQLExpr? offset) : Dimension
{
    public InfluxQLExpr Interval { get; } = interval;

    public InfluxQLExpr? Offset { get; } = offset;
}
