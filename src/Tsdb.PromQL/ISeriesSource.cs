namespace Tsdb.PromQL;

public enum MatchType
{
    Equal,
    NotEqual,
    RegexMatch,
    RegexNoMatch,
}

/// <summary>
/// A label matcher (<c>name="v"</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>). Regexes are fully anchored, RE2 syntax as
/// Prometheus uses; a matcher against an absent label sees the empty string.
/// </summary>
public sealed record LabelMatcher(string Name, MatchType Type, string Value)
{
    /// <summary>Whether a label value ("" when the label is absent) satisfies this matcher.</summary>
    public bool Matches(string value) => Matchers.Matches(this, value);

    /// <summary>Whether every matcher accepts <paramref name="labels"/>.</summary>
    public static bool MatchAll(IReadOnlyList<LabelMatcher> matchers, Labels labels) => Matchers.Matches(matchers, labels);
}

/// <summary>
/// The samples of one series in a time range, in time order, timestamps in milliseconds since the epoch.
/// Staleness markers are the NaN with bits 0x7FF0000000000002 and must reach the engine unchanged (a stale native
/// histogram sample is such a float marker too).
/// </summary>
public sealed record SeriesSamples(Labels Labels, long[] TimestampsMs, double[] Values)
{
    /// <summary>
    /// Native histogram samples beside the floats: null when the series has none, else as long as
    /// <see cref="Values"/>, where a non-null entry makes that sample a histogram (its float value is then ignored).
    /// </summary>
    public FloatHistogram?[]? Histograms { get; init; }
}

/// <summary>
/// What the PromQL engine reads from. Storage implements it over buffered and persisted data; tests implement it in
/// memory. Times are milliseconds since the epoch, both ends inclusive.
/// </summary>
public interface ISeriesSource
{
    /// <summary>Every series matching all <paramref name="matchers"/> that has a sample in [minT, maxT], with those samples.</summary>
    ValueTask<IReadOnlyList<SeriesSamples>> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken);

    /// <summary>Label sets of series matching any one of <paramref name="matcherSets"/> (all series when empty) with a sample in range.</summary>
    ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken);

    /// <summary>Sorted label names of the series <see cref="SeriesAsync"/> would return.</summary>
    ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken);

    /// <summary>Sorted distinct values of label <paramref name="name"/> over the series <see cref="SeriesAsync"/> would return.</summary>
    ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken);
}
