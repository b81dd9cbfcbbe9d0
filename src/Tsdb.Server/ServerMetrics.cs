using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Server;

/// <summary>
/// <c>tsdb_build_info</c> and the Prometheus client libraries' standard <c>process_*</c> metrics, read at scrape
/// time. The .NET runtime's own meter (System.Runtime: GC, heap, thread pool, JIT) is exported beside them.
/// </summary>
internal static class ServerMetrics
{
    public const string MeterName = "Tsdb.Server";
    public const string ProcessMeterName = "Tsdb.Process";

    private static readonly Meter Meter = new(MeterName, BuildInfo.Version);
    private static readonly Meter ProcessMeter = new(ProcessMeterName, BuildInfo.Version);
    private static int _created;

    /// <summary>Creates the instruments once per process (the meters are static, servers in tests are many).</summary>
    public static void EnsureCreated()
    {
        if (Interlocked.Exchange(ref _created, 1) == 1)
        {
            return;
        }
        Meter.CreateObservableGauge("tsdb.build.info", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("version", BuildInfo.Version),
            new KeyValuePair<string, object?>("runtime", Environment.Version.ToString())), description: "Always 1; the labels carry the version of the running build");

        var start = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        ProcessMeter.CreateObservableGauge("process.start_time", () => (new DateTimeOffset(start) - DateTimeOffset.UnixEpoch).TotalSeconds, "s", "Start time of the process since the Unix epoch");
        ProcessMeter.CreateObservableCounter("process.cpu", () =>
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime.TotalSeconds;
        }, "s", "User and system CPU time spent");
        ProcessMeter.CreateObservableGauge("process.resident_memory", () =>
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }, "By", "Resident memory size");
        ProcessMeter.CreateObservableGauge("process.virtual_memory", () =>
        {
            using var process = Process.GetCurrentProcess();
            return process.VirtualMemorySize64;
        }, "By", "Virtual memory size");
        ProcessMeter.CreateObservableGauge("process.open_fds", OpenFileDescriptors, "{fd}", "Open file descriptors");
    }

    private static int OpenFileDescriptors()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
