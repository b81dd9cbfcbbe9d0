namespace Tsdb.PromQL;

/// <summary>
/// One bucket of a native histogram with its bounds: positive buckets are (Lower, Upper], negative ones
/// [Lower, Upper), the zero bucket [Lower, Upper], custom buckets (Lower, Upper].
/// </summary>
public readonly record struct HistogramBucket(double Lower, double Upper, bool LowerInclusive, bool UpperInclusive, double Count);
