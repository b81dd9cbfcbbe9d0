using System.Globalization;
using System.Net;
using System.Text;
using Tsdb.LoadGen;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>
/// One tsdb (auth on, the admin token used as Grafana's) holding what each dashboard reads:
/// <list type="bullet">
/// <item>database <c>tsbs</c>: the last hour of TSBS cpu-only line protocol (bench/Tsdb.LoadGen's generator, 10 hosts,
/// a point per host every 10 s), for the host-metrics dashboard (InfluxQL and SQL);</item>
/// <item>database <c>prometheus</c>: the last hour of node_exporter-shaped samples of three hosts (job <c>node</c>),
/// remote-written by the independent protobufjs/snappyjs encoder, for the node-exporter dashboard;</item>
/// <item>database <c>prometheus</c> too: tsdb's own /metrics, scraped every second by a real Prometheus 2.42 (job
/// <c>tsdb</c>; the one server as two targets, 127.0.0.1 and localhost, so that the instance variable has two values
/// whose dots must be regex-escaped) that remote-writes what it scrapes back into tsdb, for the health dashboard. This is the setup the
/// README recommends (one Prometheus scraping tsdb and the nodes, remote-writing into tsdb); the dashboard reads the
/// same from a Prometheus directly.</item>
/// </list>
/// Before Prometheus starts, a partly bad write and a persist make the write-outcome and background-run series exist.
/// </summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class GrafanaDashboardFixture : IAsyncLifetime
{
    public const int TsbsHosts = 10;
    public const int NodeHosts = 3;

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-grafana-").FullName;
    private TsdbProcess? _server;
    private PrometheusServer? _prometheus;
    private GrafanaQueryClient? _client;

    internal TsdbProcess Server => _server!;

    internal GrafanaQueryClient Client => _client!;

    internal HttpClient Http { get; private set; } = null!;

    public static string GrafanaDir => Path.Combine(RepoPaths.Root, "grafana");

    public async Task InitializeAsync()
    {
        _server = await TsdbProcess.StartAsync(Path.Combine(_dir, "data"));
        Http = _server.Client();
        var dataSources = GrafanaDataSource.Load(Path.Combine(GrafanaDir, "provisioning", "datasources", "tsdb.yaml"));
        _client = new GrafanaQueryClient(_server.Url, _server.AdminToken!, dataSources);

        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var hourAgoMs = (nowMs - 3_600_000) / 10_000 * 10_000;
        foreach (var body in TsbsCpu.Bodies(TsbsHosts * 361, 1_000, TsbsHosts, seed: 19, startNs: hourAgoMs * 1_000_000))
        {
            await PostAsync("/api/v3/write_lp?db=tsbs", new ByteArrayContent(body), HttpStatusCode.NoContent);
        }
        var remote = RemoteWriteClient.Send(_server.Url, _server.AdminToken, NodeExporterSamples.Request(NodeHosts, hourAgoMs, nowMs, seed: 19), "prometheus");
        if (remote.Status != 204)
        {
            throw new InvalidOperationException($"remote write of the node exporter samples: {remote.Status} {remote.Body}");
        }
        await PostAsync("/api/v3/write_lp?db=scratch", new StringContent("probe,kind=partial v=1\nnot line protocol", Encoding.UTF8, "text/plain"), HttpStatusCode.BadRequest);
        await PostAsync("/api/v3/persist", new StringContent(""), HttpStatusCode.OK);

        var (port, directory) = PrometheusServer.Prepare();
        var token = _server.AdminToken;
        _prometheus = PrometheusServer.Start(port, directory, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: tsdb
                authorization:
                  credentials: {token}
                static_configs:
                  - targets: ['127.0.0.1:{_server.Url.Port}', 'localhost:{_server.Url.Port}']
            remote_write:
              - url: {new Uri(_server.Url, "/api/v1/write?db=prometheus")}
                authorization:
                  credentials: {token}
                queue_config:
                  batch_send_deadline: 1s
                  min_backoff: 100ms
                  max_backoff: 1s
            """);
    }

    private async Task PostAsync(string path, HttpContent content, HttpStatusCode expected)
    {
        using (content)
        {
            using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content);
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    /// <summary>The value of an instant PromQL query against tsdb at <paramref name="timeS"/> (NaN when empty), for waiting on the scraped data.</summary>
    internal async Task<double> InstantAsync(string query, long timeS)
    {
        var path = $"/api/v1/query?db=prometheus&time={timeS}&query={Uri.EscapeDataString(query)}";
        var body = await Http.GetStringAsync(new Uri(path, UriKind.Relative));
        var result = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? double.NaN : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    internal string PrometheusOutput => _prometheus?.Output ?? "";

    public async Task DisposeAsync()
    {
        _prometheus?.Dispose();
        _client?.Dispose();
        Http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }
}
