using Tsdb.PromQL;

namespace Tsdb.Prometheus;

/// <summary>An exemplar as read back: its labels (in name order), value and time in milliseconds.</summary>
public sealed record StoredExemplar(Labels Labels, double Value, long TimestampMs);
