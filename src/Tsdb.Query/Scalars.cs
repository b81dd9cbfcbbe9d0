namespace Tsdb.Query;

/// <summary>A timestamp constant (nanoseconds since the epoch, UTC).</summary>
public readonly record struct TimestampScalar(long Nanos);

/// <summary>An INTERVAL constant of a fixed length in nanoseconds (months are not supported).</summary>
public readonly record struct IntervalScalar(long Nanos);
