using System.Diagnostics.Metrics;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Wal;

/// <summary>The WAL's meter: one measurement per commit group (never per record).</summary>
internal static class WalMetrics
{
    public const string MeterName = "Tsdb.Wal";

    private static readonly Meter Meter = new(MeterName, BuildInfo.Version);

    /// <summary>Records per commit group: how well group commit gathers concurrent writers.</summary>
    public static readonly Histogram<int> GroupRecords = Meter.CreateHistogram(
        "tsdb.wal.group.records", "{record}", "WAL records written and fsynced together in one group commit",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096] });

    public static readonly Histogram<long> GroupBytes = Meter.CreateHistogram<long>(
        "tsdb.wal.group.size", "By", "Bytes written to the WAL in one group commit",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    public static readonly Histogram<double> FsyncDuration = Meter.CreateHistogram(
        "tsdb.wal.fsync.duration", "s", "Time of the fsync that makes one WAL group durable",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });

    public static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "tsdb.wal.failures", "{failure}", "WAL writes that failed with an I/O error (the WAL then refuses writes until restart)");

    public static readonly Counter<long> DiskFullRefusals = Meter.CreateCounter<long>(
        "tsdb.wal.disk_full_refusals", "{record}", "WAL records refused because the disk was full (cut from the segment; the WAL stays open)");
}
