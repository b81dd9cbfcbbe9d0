using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tsdb.Testing;

/// <summary>
/// A real S3 server for tests: a single-node Ceph RADOS Gateway (mon + in-memory OSD + RGW) started with
/// ../shared/tools/ceph-s3/start.sh on a free port (installed from Debian's packages the first time), stopped with
/// stop.sh. Keys RGWKEY / RGWSECRET. The monitor's port is fixed, so test processes take turns through a lock file.
/// Set TSDB_KEEP_CEPH_STATE=1 to keep the cluster's directory (logs with every request) after the run.
/// </summary>
public sealed class CephRgw : IDisposable
{
    public const string AccessKey = "RGWKEY";
    public const string SecretKey = "RGWSECRET";

    private readonly string _stateDir;
    private readonly FileStream _lock;

    private CephRgw(string stateDir, int port, FileStream machineLock)
    {
        _stateDir = stateDir;
        _lock = machineLock;
        Endpoint = $"http://127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    /// <summary>How long the install check and start took (reported by fixtures as diagnostics).</summary>
    public TimeSpan InstallTime { get; private init; }

    public TimeSpan StartTime { get; private init; }

    /// <summary>The shared directory (TSDB_SHARED_DIR, by default ../shared beside the checkout).</summary>
    public static string SharedDir => Environment.GetEnvironmentVariable("TSDB_SHARED_DIR") is { Length: > 0 } dir
        ? dir
        : Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared"));

    public static CephRgw Start()
    {
        var tools = Path.Combine(SharedDir, "tools", "ceph-s3");
        if (!File.Exists(Path.Combine(tools, "start.sh")))
        {
            throw new InvalidOperationException($"Ceph S3 tests need {tools}/start.sh: set TSDB_SHARED_DIR to the shared directory (it is beside the checkout in CI)");
        }
        // The monitor always binds 127.0.0.1:3300, so one Ceph per machine: test processes take turns.
        var machineLock = AcquireMachineLock();
        try
        {
            var watch = Stopwatch.StartNew();
            EnsureInstalled();
            var installTime = watch.Elapsed;
            WaitForMonitorPortToBeFree();
            var state = Directory.CreateTempSubdirectory("tsdb-ceph-").FullName;
            var port = FreePort();
            watch.Restart();
            try
            {
                Run("bash", [Path.Combine(tools, "start.sh")], new() { ["C"] = state, ["RGW_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, TimeSpan.FromMinutes(4));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                var logs = TailOfLogs(state);
                try
                {
                    Run("bash", [Path.Combine(tools, "stop.sh")], new() { ["C"] = state }, TimeSpan.FromMinutes(1));
                }
                catch (Exception stop) when (stop is InvalidOperationException or TimeoutException)
                {
                    logs += "\n(stop.sh failed too: " + stop.Message + ")";
                }
                throw new InvalidOperationException($"Ceph RGW did not start: {e.Message}\n{logs}", e);
            }
            return new CephRgw(state, port, machineLock) { InstallTime = installTime, StartTime = watch.Elapsed };
        }
        catch
        {
            machineLock.Dispose();
            throw;
        }
    }

    private static readonly string[] Programs = ["radosgw", "ceph-mon", "ceph-osd", "ceph", "radosgw-admin", "ceph-authtool", "monmaptool", "uuidgen"];

    private static void EnsureInstalled()
    {
        if (Programs.All(p => FindOnPath(p) is not null))
        {
            return;
        }
        try
        {
            DebianPackages.Install(["radosgw", "ceph-mon", "ceph-osd", "uuid-runtime"], TimeSpan.FromMinutes(15));
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException("Ceph is not installed and installing it failed (the tests must run as root, with Debian's package sources reachable): " + e.Message, e);
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Select(directory => Path.Join(directory, program))
            .FirstOrDefault(File.Exists);

    private static string TailOfLogs(string state)
    {
        var logs = Path.Combine(state, "log");
        return Directory.Exists(logs)
            ? string.Join('\n', Directory.GetFiles(logs).Select(f => $"--- {Path.GetFileName(f)}:\n" + string.Join('\n', File.ReadLines(f).TakeLast(15))))
            : "";
    }

    /// <summary>Stops the gateway alone (SIGTERM, then SIGKILL after 10 s): S3 requests are refused until <see cref="StartGateway"/>.</summary>
    public void StopGateway()
    {
        var pidFile = Path.Combine(_stateDir, "rgw.pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        Run("kill", [pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], [], TimeSpan.FromSeconds(10));
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>
    /// Freezes the gateway (SIGSTOP): the kernel still accepts connections on its port, but no request is answered
    /// until <see cref="ResumeGateway"/> — an object store that hangs rather than refuses.
    /// </summary>
    public void PauseGateway() => Signal("-STOP");

    /// <summary>Lets a gateway frozen by <see cref="PauseGateway"/> go on (SIGCONT).</summary>
    public void ResumeGateway() => Signal("-CONT");

    private void Signal(string signal)
    {
        var pid = File.ReadAllText(Path.Combine(_stateDir, "rgw.pid")).Trim();
        Run("kill", [signal, pid], [], TimeSpan.FromSeconds(10));
    }

    /// <summary>Starts the gateway again on the same port, as start.sh did, and waits until it answers.</summary>
    public void StartGateway()
    {
        var script = $"nohup radosgw -c '{_stateDir}/ceph.conf' -n client.rgw.a -f >> '{_stateDir}/log/rgw.stdout' 2>&1 & echo $! > '{_stateDir}/rgw.pid'; "
            + $"for i in $(seq 1 120); do curl -s -o /dev/null '{Endpoint}/' && exit 0; sleep 0.5; done; exit 1";
        Run("bash", ["-c", script], [], TimeSpan.FromMinutes(2));
    }

    public void Dispose()
    {
        try
        {
            Run("bash", [Path.Combine(SharedDir, "tools", "ceph-s3", "stop.sh")], new() { ["C"] = _stateDir }, TimeSpan.FromMinutes(1));
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("TSDB_KEEP_CEPH_STATE") is null)
            {
                Directory.Delete(_stateDir, recursive: true);
            }
            _lock.Dispose();
        }
    }

    /// <summary>A monitor stopped a moment ago can still hold 127.0.0.1:3300; start.sh would then fail.</summary>
    private static void WaitForMonitorPortToBeFree()
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, 3300);
                probe.Start();
                probe.Stop();
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(500);
            }
        }
        throw new TimeoutException("127.0.0.1:3300 (the Ceph monitor's port) stayed busy for 3 minutes");
    }

    private static FileStream AcquireMachineLock()
    {
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (true)
        {
            try
            {
                return new FileStream(Path.Combine(Path.GetTempPath(), "tsdb-ceph.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string[] args, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}):\n{stderr.Result}\n{stdout.Result}");
        }
    }
}
