using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tsdb.Testing;

/// <summary>
/// A real Prometheus 2.42 (Debian's <c>prometheus</c> package, installed with apt-get the first time) on a free
/// 127.0.0.1 port with its own data directory, started and stopped by PID.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private PrometheusServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Holds prometheus.yml and data/.</summary>
    public string Directory { get; }

    public string DataDir => Path.Combine(Directory, "data");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Installs Prometheus if needed and picks a port; the caller writes the config (which may need the port) and then calls <see cref="Start"/>.</summary>
    public static (int Port, string Directory) Prepare()
    {
        EnsureInstalled();
        var directory = System.IO.Directory.CreateTempSubdirectory("tsdb-prometheus-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "data"));
        return (FreePort(), directory);
    }

    /// <summary>Starts Prometheus with the config; <paramref name="flags"/> are added to its command line (e.g. <c>--enable-feature=native-histograms</c>).</summary>
    public static PrometheusServer Start(int port, string directory, string configYaml, params string[] flags)
    {
        File.WriteAllText(Path.Combine(directory, "prometheus.yml"), configYaml);
        var info = new ProcessStartInfo("/usr/bin/prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            $"--config.file={Path.Combine(directory, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            "--storage.tsdb.retention.time=100y",
            $"--web.listen-address=127.0.0.1:{port}",
        }.Concat(flags))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start prometheus");
        var server = new PrometheusServer(process, port, directory);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        server.WaitReady();
        return server;
    }

    /// <summary><c>promtool tsdb create-blocks-from openmetrics</c> into <paramref name="outputDir"/>.</summary>
    public static void Backfill(string openMetricsFile, string outputDir)
    {
        EnsureInstalled();
        Run("/usr/bin/promtool", ["tsdb", "create-blocks-from", "openmetrics", openMetricsFile, outputDir], TimeSpan.FromMinutes(5));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        finally
        {
            _process.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    private void WaitReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("prometheus exited:\n" + Output);
            }
            try
            {
                if (http.GetAsync(new Uri(Url, "/-/ready")).GetAwaiter().GetResult().IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException("prometheus did not become ready:\n" + Output);
    }

    private static void EnsureInstalled()
    {
        if (File.Exists("/usr/bin/prometheus") && File.Exists("/usr/bin/promtool"))
        {
            return;
        }
        DebianPackages.Install(["prometheus"], TimeSpan.FromMinutes(15));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
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
