namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>A duration such as <c>10m</c>, <c>1h30m</c> or <c>100ns</c>, in nanoseconds (units ns, u, µ, ms, s, m, h, d, w).</summary>
public sealed class DurationLiteral(long nanoseconds) : InfluxQLExpr
{
    public long Nanoseconds { get; } = nanoseconds;
}
