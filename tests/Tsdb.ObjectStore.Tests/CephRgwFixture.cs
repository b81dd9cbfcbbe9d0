using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tsdb.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Tsdb.ObjectStore.Tests;

/// <summary>
/// A real S3 server for the tests: single-node Ceph (mon + in-memory OSD + RADOS Gateway) started by
/// <c>shared/tools/ceph-s3/start.sh</c> on a free port, installed from Debian first if missing, stopped by PID
/// (stop.sh) at the end. Each test class gets its own bucket. Set TSDB_KEEP_CEPH_STATE=1 to keep the cluster's
/// directory (logs with every request and its status) after the run.
/// </summary>
public sealed class CephRgwFixture : IAsyncLifetime
{
    private const int MonitorPort = 3300; // fixed in start.sh's ceph.conf
    private static readonly string[] Programs = ["radosgw", "ceph-mon", "ceph-osd", "ceph", "radosgw-admin", "ceph-authtool", "monmaptool"];

    private readonly IMessageSink _messages;
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentDictionary<Type, string> _buckets = new();
    private string? _stateDirectory;
    private string? _toolsDirectory;
    private FileStream? _monitorPortLock;

    public CephRgwFixture(IMessageSink messages)
    {
        _messages = messages;
    }

    public string Endpoint { get; private set; } = "";

    public TimeSpan InstallTime { get; private set; }

    public TimeSpan StartTime { get; private set; }

    public async Task InitializeAsync()
    {
        _toolsDirectory = FindTools();
        _monitorPortLock = await LockMonitorPortAsync();
        var watch = Stopwatch.StartNew();
        await EnsureInstalledAsync();
        InstallTime = watch.Elapsed;
        await WaitForPortToBeFreeAsync(MonitorPort, TimeSpan.FromMinutes(3));

        var port = FreePort();
        _stateDirectory = Path.Join(Path.GetTempPath(), $"tsdb-objectstore-ceph-{_runId}");
        watch.Restart();
        var start = await ProcessRunner.RunAsync("bash", [Path.Join(_toolsDirectory, "start.sh")], Environment(port), TimeSpan.FromMinutes(4));
        StartTime = watch.Elapsed;
        if (start.ExitCode != 0)
        {
            var logs = TailOfLogs();
            await StopAsync();
            throw new InvalidOperationException(
                $"Ceph RGW did not start (start.sh exit {start.ExitCode}):\n{start.Output}\n{logs}");
        }
        Endpoint = $"http://127.0.0.1:{port}";
        _messages.OnMessage(new DiagnosticMessage(
            $"Ceph RGW at {Endpoint}: install check {InstallTime.TotalSeconds:F1} s, start {StartTime.TotalSeconds:F1} s"));
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        if (_stateDirectory is not null && Directory.Exists(_stateDirectory) && System.Environment.GetEnvironmentVariable("TSDB_KEEP_CEPH_STATE") is null)
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        _monitorPortLock?.Dispose();
    }

    /// <summary>One bucket per test class, created by the store on first use.</summary>
    public string BucketFor(Type testClass) =>
        _buckets.GetOrAdd(testClass, t =>
        {
            var name = new string(t.Name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
            return $"{name[..Math.Min(name.Length, 40)]}-{_runId}";
        });

    /// <summary>Options for a store in the class's bucket, under its own key prefix.</summary>
    public S3ObjectStoreOptions Options(Type testClass, string prefix = "") => new()
    {
        Endpoint = Endpoint,
        Bucket = BucketFor(testClass),
        AccessKey = "RGWKEY",
        SecretKey = "RGWSECRET",
        Prefix = prefix,
        CreateBucketIfMissing = true,
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    private static string FindTools()
    {
        var shared = System.Environment.GetEnvironmentVariable("TSDB_SHARED_DIR") is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Join(RepoPaths.Root, "..", "shared"));
        var tools = Path.Join(shared, "tools", "ceph-s3");
        if (!File.Exists(Path.Join(tools, "start.sh")) || !File.Exists(Path.Join(tools, "stop.sh")))
        {
            throw new InvalidOperationException(
                $"the S3 tests need {Path.Join(tools, "start.sh")} and stop.sh (shared Ceph scripts); set TSDB_SHARED_DIR to the directory holding tools/ceph-s3");
        }
        return tools;
    }

    private async Task EnsureInstalledAsync()
    {
        var missing = Programs.Where(p => ProcessRunner.FindOnPath(p) is null).ToArray();
        if (missing.Length == 0)
        {
            return;
        }
        _messages.OnMessage(new DiagnosticMessage($"installing Ceph (missing: {string.Join(", ", missing)})"));
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var update = await ProcessRunner.RunAsync("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update"], environment, TimeSpan.FromMinutes(10));
        var install = update.ExitCode != 0 ? update : await ProcessRunner.RunAsync(
            "apt-get",
            ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends", "radosgw", "ceph-mon", "ceph-osd"],
            environment,
            TimeSpan.FromMinutes(10));
        if (install.ExitCode != 0 || Programs.Any(p => ProcessRunner.FindOnPath(p) is null))
        {
            throw new InvalidOperationException(
                "Ceph is not installed and installing it failed (the tests must run as root, with Debian's package "
                + $"sources reachable): apt-get exit {install.ExitCode}\n{install.Output}");
        }
    }

    /// <summary>
    /// start.sh binds the monitor to 127.0.0.1:3300 whatever RGW_PORT says, so two Ceph clusters cannot run at
    /// once: test processes take turns through the lock file Tsdb.Testing's CephRgw also takes, and any other
    /// cluster is waited for through the port itself.
    /// </summary>
    private static async Task<FileStream> LockMonitorPortAsync()
    {
        var path = Path.Join(Path.GetTempPath(), "tsdb-ceph.lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private static async Task WaitForPortToBeFreeAsync(int port, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException(
                    $"port {port} (the Ceph monitor's, fixed in start.sh) stayed busy for {patience.TotalMinutes} min: another Ceph is running", e);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Dictionary<string, string> Environment(int port) => new()
    {
        ["C"] = _stateDirectory!,
        ["RGW_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private async Task StopAsync()
    {
        if (_stateDirectory is null || _toolsDirectory is null || !Directory.Exists(_stateDirectory))
        {
            return;
        }
        var stop = await ProcessRunner.RunAsync(
            "bash", [Path.Join(_toolsDirectory, "stop.sh")], new Dictionary<string, string> { ["C"] = _stateDirectory }, TimeSpan.FromMinutes(1));
        _messages.OnMessage(new DiagnosticMessage($"Ceph stopped: {stop.Output.Trim()}"));
    }

    private string TailOfLogs()
    {
        var logs = Path.Join(_stateDirectory, "log");
        if (!Directory.Exists(logs))
        {
            return "";
        }
        var tails = Directory.GetFiles(logs).Select(f => $"--- {Path.GetFileName(f)}:\n" + string.Join('\n', File.ReadLines(f).TakeLast(15)));
        return string.Join('\n', tails);
    }
}
