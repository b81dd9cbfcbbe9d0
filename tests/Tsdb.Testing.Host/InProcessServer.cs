using System.Net.Http.Headers;
using System.Text;
using Tsdb.Host;

namespace Tsdb.Testing.Host;

/// <summary>
/// The whole server (<see cref="TsdbHost"/>: storage, ingest, query, HTTP and Flight) started inside the test process,
/// on the address its options give (127.0.0.1:0 for a free port), with what it prints captured in <see cref="Output"/>.
/// For tests that need no signal, no kill -9, no CLI and no process of their own; those spawn <c>tsdb serve</c>.
/// Meters are per process, so <c>/metrics</c> of one in-process server also counts the others'.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly TsdbHost _host;
    private readonly StringBuilder _output;
    // TextWriter.Synchronized locks the writer itself for each call: reading the text takes the same lock.
    private readonly TextWriter _writer;

    private InProcessServer(TsdbHost host, StringBuilder output, TextWriter writer)
    {
        _host = host;
        _output = output;
        _writer = writer;
    }

    /// <summary>Starts a host; the data directory is <see cref="TsdbHostOptions.DataDir"/>, made if missing.</summary>
    public static async Task<InProcessServer> StartAsync(TsdbHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var output = new StringBuilder();
        var writer = TextWriter.Synchronized(new StringWriter(output));
        var host = await TsdbHost.StartAsync(options, writer, writer).ConfigureAwait(false);
        return new InProcessServer(host, output, writer);
    }

    /// <summary>A server on 127.0.0.1:0 with its data in <paramref name="dataDir"/> and the defaults of <c>tsdb serve</c> otherwise.</summary>
    public static Task<InProcessServer> StartAsync(string dataDir, bool auth = true) =>
        StartAsync(new TsdbHostOptions { DataDir = Path.GetFullPath(dataDir), HttpBind = "127.0.0.1:0", Auth = auth, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });

    public string DataDir => _host.Options.DataDir;

    public Uri Url => _host.Url;

    /// <summary>The admin token made at the first start with auth on; null on later starts or without auth.</summary>
    public string? AdminToken => _host.AdminToken;

    /// <summary>What the host printed (startup, warnings, shutdown); not the request log, which goes to the logger.</summary>
    public string Output
    {
        get
        {
            lock (_writer)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A client for the server's URL with the admin token (or <paramref name="token"/>) as bearer.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        if ((token ?? AdminToken) is { } t)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", t);
        }
        return client;
    }

    /// <summary>Stops as <c>tsdb serve</c> does on SIGTERM: requests finish, background work stops, the WAL is closed.</summary>
    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync().ConfigureAwait(false);
}
