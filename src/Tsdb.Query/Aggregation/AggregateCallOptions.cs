namespace Tsdb.Query.Aggregation;

/// <summary>
/// How an aggregate is called, beyond its argument types. <paramref name="OrderBy"/>: first_value/last_value(x ORDER BY
/// k1, k2) — one entry per key, whose arrays follow x in the arguments; NullsFirst is already resolved (SQL's default is
/// NULLS FIRST for DESC). <paramref name="Parameter"/>: approx_percentile_cont's constant fraction (a double, or the
/// long 0 or 1), or a selector's member ("value" or "time").
/// </summary>
public sealed record AggregateCallOptions(bool Distinct, IReadOnlyList<(bool Descending, bool NullsFirst)> OrderBy, object? Parameter)
{
    /// <summary>A plain call: no DISTINCT, no ORDER BY, no parameter.</summary>
    public static AggregateCallOptions None { get; } = new(false, [], null);
}
