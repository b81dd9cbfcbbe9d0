namespace Tsdb.Parquet.Reading;

/// <summary>
/// A predicate used only to skip data: rows whose <see cref="Column"/> value lies in [Min, Max] (either bound may be
/// absent). Bounds are <c>long</c> (integers and timestamps, in the column's own unit), <c>ulong</c>, <c>double</c>,
/// <c>bool</c> or <c>string</c>. Row groups and pages that cannot hold such a row are not read; rows that do not
/// match may still be returned (the caller filters exactly).
/// </summary>
public sealed record ColumnRange(string Column, object? Min, object? Max)
{
    /// <summary>
    /// When set, the only values a row may have (bounds of the same kinds as Min/Max): data whose [min, max] holds none
    /// of them is skipped too. <c>host IN ('a', 'z')</c> then skips a page of hosts b…y, which [a, z] alone would not.
    /// </summary>
    public IReadOnlyList<object>? AnyOf { get; init; }
}
