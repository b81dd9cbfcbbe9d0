namespace Tsdb.Core.Diagnostics;

/// <summary>
/// Histogram bucket boundaries shared by the meters (the exporter's default buckets are sized for milliseconds, ours
/// are in seconds, as Prometheus names them).
/// </summary>
public static class MetricBuckets
{
    /// <summary>From 100 µs (an fsync on a fast disk, an object-store hit in memory) to 60 s (a large compaction).</summary>
    public static IReadOnlyList<double> Seconds { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Counts of things per group (records per WAL commit), powers of two up to 4,096.</summary>
    public static IReadOnlyList<double> Counts { get; } =
        [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
}
