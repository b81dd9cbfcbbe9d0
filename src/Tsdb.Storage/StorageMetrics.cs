using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Storage;

/// <summary>
/// The storage meter: write-buffer gauges read at scrape time, and one measurement per persist, compaction or
/// retention run.
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "Tsdb.Storage";

    private static readonly Meter Meter = new(MeterName, BuildInfo.Version);
    private static WriteBuffer? _buffer;
    private static ProcessMemory? _memory;

    private static readonly Counter<long> Runs = Meter.CreateCounter<long>(
        "tsdb.storage.runs", "{run}", "Background storage runs by job (persist, compaction, retention) and outcome (ok, error)");

    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram(
        "tsdb.storage.run.duration", "s", "Time of one persist, compaction or retention run",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });

    private static readonly Counter<long> PersistedRows = Meter.CreateCounter<long>(
        "tsdb.persist.rows", "{row}", "Rows moved from the write buffer into Parquet files");

    private static readonly Counter<long> PersistedFiles = Meter.CreateCounter<long>(
        "tsdb.persist.files", "{file}", "Parquet files written by persists");

    private static readonly Counter<long> WrittenBytes = Meter.CreateCounter<long>(
        "tsdb.storage.written", "By", "Bytes of Parquet files written, by job (persist, compaction, retention): their sum over the persisted bytes is the write amplification");

    private static readonly Counter<long> MemoryWaitsEnded = Meter.CreateCounter<long>(
        "tsdb.process_memory.waits_ended", "{wait}", "Background work that waited --process-memory-limit's longest wait for memory, by job: a persist then went ahead over the budget, a compaction gave up its round");

    static StorageMetrics()
    {
        Meter.CreateObservableGauge("tsdb.process_memory.used", () => Volatile.Read(ref _memory)?.Used ?? 0, "By", "Memory reserved by queries, persists and compactions from the process's budget");
        Meter.CreateObservableGauge("tsdb.process_memory.waiting", () => Volatile.Read(ref _memory)?.Waiting ?? 0, "{reservation}", "Reservations waiting in line for the process's budget now (queries, persists, compactions)");
        Meter.CreateObservableGauge("tsdb.process_memory.limit", () => Volatile.Read(ref _memory)?.Limit ?? 0, "By", "The budget queries, persists and compactions share (--process-memory-limit)");
        Meter.CreateObservableGauge("tsdb.buffer.size", () => Volatile.Read(ref _buffer)?.MemoryBytes ?? 0, "By", "Memory held by rows not yet persisted");
        Meter.CreateObservableGauge("tsdb.buffer.limit", () => Volatile.Read(ref _buffer)?.MemoryLimitBytes ?? 0, "By", "The write buffer's budget (--buffer-memory-limit)");
        Meter.CreateObservableGauge("tsdb.buffer.rows", () => Volatile.Read(ref _buffer)?.RowCount ?? 0, "{row}", "Rows in the write buffer, not yet persisted");
    }

    /// <summary>Makes <paramref name="buffer"/> the one the buffer gauges read.</summary>
    public static void Observe(WriteBuffer buffer) => Volatile.Write(ref _buffer, buffer);

    /// <summary>Makes <paramref name="memory"/> the one the process-memory gauges read.</summary>
    public static void Observe(ProcessMemory memory) => Volatile.Write(ref _memory, memory);

    internal static void PersistForcedMemory() => MemoryWaitsEnded.Add(1, new KeyValuePair<string, object?>("job", "persist"));

    internal static void CompactionDeferred() => MemoryWaitsEnded.Add(1, new KeyValuePair<string, object?>("job", "compaction"));

    internal static long Start() => Stopwatch.GetTimestamp();

    internal static void Stop(string job, long started, bool ok)
    {
        var jobTag = new KeyValuePair<string, object?>("job", job);
        Runs.Add(1, jobTag, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));
        RunDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, jobTag);
    }

    internal static void Persisted(long rows, int files)
    {
        if (files > 0)
        {
            PersistedRows.Add(rows);
            PersistedFiles.Add(files);
        }
    }

    internal static void Written(string job, IEnumerable<Catalog.ParquetFileEntry?> files)
    {
        var bytes = files.Sum(f => f?.SizeBytes ?? 0);
        if (bytes > 0)
        {
            WrittenBytes.Add(bytes, new KeyValuePair<string, object?>("job", job));
        }
    }
}
