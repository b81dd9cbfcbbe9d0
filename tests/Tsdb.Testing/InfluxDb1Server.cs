using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tsdb.Testing;

/// <summary>
/// A real InfluxDB 1.6.7 (Debian's <c>influxdb</c> package, installed with apt-get the first time): the InfluxQL
/// oracle. Runs on a free 127.0.0.1 port with meta/data/wal in its own temporary directory (no reporting, no
/// <c>_internal</c> monitor database, no UDP/Graphite listeners), started and killed by PID.
/// </summary>
public sealed class InfluxDb1Server : IDisposable
{
    private const string Influxd = "/usr/bin/influxd";

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly HttpClient _http;

    private InfluxDb1Server(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
        _http = new HttpClient { BaseAddress = Uri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Port { get; }

    public Uri Uri => new($"http://127.0.0.1:{Port}");

    /// <summary>Holds influxdb.conf and the meta/, data/ and wal/ directories; deleted on dispose.</summary>
    public string Directory { get; }

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

    /// <summary>Installs the package if needed (a clear error says why it could not be), then starts influxd and waits for <c>/ping</c>.</summary>
    public static async Task<InfluxDb1Server> StartAsync(CancellationToken cancellationToken = default)
    {
        EnsureInstalled();
        var directory = System.IO.Directory.CreateTempSubdirectory("tsdb-influxdb1-").FullName;
        var port = FreePort();
        var config = Config(directory, port, FreePort());
        var configPath = Path.Combine(directory, "influxdb.conf");
        await File.WriteAllTextAsync(configPath, config, cancellationToken).ConfigureAwait(false);
        var info = new ProcessStartInfo(Influxd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-config");
        info.ArgumentList.Add(configPath);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start influxd");
        var server = new InfluxDb1Server(process, port, directory);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>The config: every listener but HTTP off, the RPC bind on its own free port (two servers may run at once).</summary>
    private static string Config(string directory, int httpPort, int rpcPort)
    {
        string Dir(string name) => Path.Combine(directory, name).Replace("\\", "/", StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"""
            reporting-enabled = false
            bind-address = "127.0.0.1:{rpcPort}"

            [meta]
              dir = "{Dir("meta")}"
              retention-autocreate = true
              logging-enabled = false

            [data]
              dir = "{Dir("data")}"
              wal-dir = "{Dir("wal")}"
              index-version = "inmem"
              query-log-enabled = false

            [coordinator]
              max-select-point = 0
              max-select-series = 0
              max-select-buckets = 0

            [monitor]
              store-enabled = false

            [http]
              enabled = true
              bind-address = "127.0.0.1:{httpPort}"
              auth-enabled = false
              log-enabled = false
              pprof-enabled = false
              max-row-limit = 0

            [continuous_queries]
              enabled = false

            [ifql]
              enabled = false

            [[graphite]]
              enabled = false

            [[collectd]]
              enabled = false

            [[opentsdb]]
              enabled = false

            [[udp]]
              enabled = false

            [logging]
              level = "warn"
              suppress-logo = true
            """);
    }

    /// <summary><c>POST /query q=CREATE DATABASE …</c>; throws on any error in the answer.</summary>
    public async Task CreateDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        using var body = new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{database}\"")]);
        using var response = await _http.PostAsync(new Uri("/query", UriKind.Relative), body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || text.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"CREATE DATABASE {database}: {(int)response.StatusCode} {text}");
        }
    }

    /// <summary><c>POST /write?db=&amp;precision=</c> with line protocol; throws unless 204.</summary>
    public async Task WriteAsync(string database, string lineProtocol, string precision = "s", CancellationToken cancellationToken = default)
    {
        var path = $"/write?db={Uri.EscapeDataString(database)}&precision={Uri.EscapeDataString(precision)}";
        using var body = new StringContent(lineProtocol, Encoding.UTF8, "text/plain");
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), body, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"write to {database}: {(int)response.StatusCode} {text}");
        }
    }

    /// <summary><c>GET /query?db=&amp;epoch=&amp;q=</c>; the raw JSON body, whatever the status (errors are part of the answer).</summary>
    public async Task<string> QueryAsync(string database, string query, string? epoch = "ns", CancellationToken cancellationToken = default)
    {
        var path = $"/query?db={Uri.EscapeDataString(database)}&q={Uri.EscapeDataString(query)}" + (epoch is null ? "" : $"&epoch={epoch}");
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        try
        {
            _http.Dispose();
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

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"influxd exited ({_process.ExitCode}):\n" + Output);
            }
            try
            {
                using var response = await _http.GetAsync(new Uri("/ping", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException("influxd did not answer /ping with 204 within 60 s:\n" + Output);
    }

    private static void EnsureInstalled()
    {
        if (File.Exists(Influxd))
        {
            return;
        }
        try
        {
            DebianPackages.Install(["influxdb"], TimeSpan.FromMinutes(15));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException(
                "InfluxDB 1.6.7 (the InfluxQL oracle) is not installed and Debian's `influxdb` package could not be installed: " + e.Message, e);
        }
        if (!File.Exists(Influxd))
        {
            throw new InvalidOperationException($"Debian's `influxdb` package installed but {Influxd} is missing");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
