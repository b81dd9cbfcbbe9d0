namespace Tsdb.PromQL;

/// <summary>
/// A run of consecutive buckets, as remote write and the TSDB encode them: <see cref="Offset"/> is the gap (in bucket
/// indexes) after the previous span, or the first bucket's index for the first span.
/// </summary>
public readonly record struct HistogramSpan(int Offset, uint Length);
