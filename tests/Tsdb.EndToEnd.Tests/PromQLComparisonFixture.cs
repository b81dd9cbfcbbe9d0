using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Tsdb.Testing;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>One Prometheus 2.42 and one tsdb holding the same data set, shared by the comparison tests.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class PromQLComparisonFixture : IAsyncLifetime
{
    public const long BaseSeconds = 1_700_000_000;
    private const int Samples = 480; // two hours every 15 s

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-promql-").FullName;
    private InProcessServer _server = null!;
    private PrometheusServer _prometheus = null!;

    public HttpClient Ours { get; private set; } = null!;

    public HttpClient Theirs { get; private set; } = null!;

    /// <summary>A cluster's query node over the same series, written half to each of two ingest nodes (one persisted).</summary>
    public HttpClient ClusterQuery { get; private set; } = null!;

    private readonly List<InProcessServer> _cluster = [];

    public async Task InitializeAsync()
    {
        var (series, openMetrics) = Dataset();
        var (port, directory) = PrometheusServer.Prepare();
        var file = Path.Combine(_dir, "data.om");
        await File.WriteAllTextAsync(file, openMetrics);
        PrometheusServer.Backfill(file, Path.Combine(directory, "data"));
        _prometheus = PrometheusServer.Start(port, directory, "global:\n  scrape_interval: 15s\n");
        Theirs = new HttpClient { BaseAddress = _prometheus.Url };

        _server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "tsdb"));
        Ours = _server.Client();
        var response = RemoteWriteClient.Send(_server.Url, _server.AdminToken, RemoteWriteClient.Request("1", [.. series]));
        Assert.Equal(204, response.Status);

        string[] shared = ["--without-auth", "--object-store", "file", "--object-store-dir", Path.Combine(_dir, "cluster-store")];
        foreach (var id in new[] { "i1", "i2" })
        {
            _cluster.Add(await InProcessTsdb.StartAsync(Path.Combine(_dir, id), [.. shared, "--mode", "ingest", "--node-id", id]));
        }
        _cluster.Add(await InProcessTsdb.StartAsync(Path.Combine(_dir, "q1"), [.. shared, "--mode", "query", "--node-id", "q1"]));
        for (var n = 0; n < 2; n++)
        {
            var half = RemoteWriteClient.Request("1", [.. series.Where((_, i) => i % 2 == n).Select(s => (JsonObject)s.DeepClone())]);
            Assert.Equal(204, RemoteWriteClient.Send(_cluster[n].Url, null, half).Status);
        }
        using (var i1 = _cluster[0].Client())
        {
            Assert.True((await i1.PostAsync("/api/v3/persist?db=prometheus", null)).IsSuccessStatusCode);
        }
        ClusterQuery = _cluster[2].Client();
    }

    public async Task DisposeAsync()
    {
        Ours.Dispose();
        Theirs.Dispose();
        ClusterQuery.Dispose();
        foreach (var node in _cluster)
        {
            await node.DisposeAsync();
        }
        _prometheus.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Counters (with a reset) and gauges; the same samples as remote-write series and as OpenMetrics text.</summary>
    private static (List<JsonObject> Series, string OpenMetrics) Dataset()
    {
        var random = new Random(20231114);
        var series = new List<JsonObject>();
        var text = new StringBuilder();
        void Add(string name, (string, string)[] labels, Func<int, double> value)
        {
            var dictionary = labels.ToDictionary(l => l.Item1, l => l.Item2);
            dictionary["__name__"] = name;
            var samples = new List<(long, object)>();
            var labelText = string.Join(",", labels.OrderBy(l => l.Item1, StringComparer.Ordinal).Select(l => $"{l.Item1}=\"{l.Item2}\""));
            for (var i = 0; i < Samples; i++)
            {
                var ms = ((BaseSeconds + (i * 15)) * 1000) + 3500;
                var v = value(i);
                samples.Add((ms, v));
                text.Append(CultureInfo.InvariantCulture, $"{name}{{{labelText}}} {v.ToString("R", CultureInfo.InvariantCulture)} {ms / 1000}.{ms % 1000:D3}\n");
            }
            series.Add(RemoteWriteClient.Series(dictionary, [.. samples]));
        }
        foreach (var (job, instance, code) in new[] { ("api", "a", "200"), ("api", "a", "500"), ("api", "b", "200"), ("web", "c", "200"), ("web", "c", "500") })
        {
            var total = 0.0;
            var resetAt = random.Next(100, 400);
            var steps = Enumerable.Range(0, Samples).Select(_ => (double)random.Next(0, 50)).ToArray();
            var values = new double[Samples];
            for (var i = 0; i < Samples; i++)
            {
                total = i == resetAt && code == "500" ? steps[i] : total + steps[i];
                values[i] = total;
            }
            Add("http_requests_total", [("job", job), ("instance", instance), ("code", code)], i => values[i]);
        }
        foreach (var (room, floor) in new[] { ("kitchen", "1"), ("hall", "1"), ("attic", "2") })
        {
            var values = Enumerable.Range(0, Samples).Select(_ => Math.Round(18 + (random.NextDouble() * 6), 2)).ToArray();
            Add("temperature", [("room", room), ("floor", floor)], i => values[i]);
        }
        text.Append("# EOF\n");
        return (series, text.ToString());
    }
}
