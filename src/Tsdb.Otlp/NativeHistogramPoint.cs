namespace Tsdb.Otlp;

/// <summary>
/// An OTLP exponential histogram data point in Prometheus' native-histogram terms: the schema is the OTLP scale
/// (scales above 8 merged down to 8), bucket offsets are Prometheus indexes (OTLP's + 1: OTLP bucket i is
/// (base^i, base^(i+1)], Prometheus' is (base^(i-1), base^i]). Kept apart from the float series until storage has
/// native histograms; then these are stored instead of refused.
/// </summary>
internal sealed record NativeHistogramPoint(
    string Metric,
    IReadOnlyList<(string Name, string Value)> Labels,
    long TimestampMs,
    int Schema,
    double ZeroThreshold,
    ulong ZeroCount,
    ulong Count,
    double Sum,
    int PositiveOffset,
    ulong[] PositiveCounts,
    int NegativeOffset,
    ulong[] NegativeCounts,
    bool Stale);
