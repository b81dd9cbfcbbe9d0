using System.Globalization;
using System.Text.Json;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A real Prometheus 2.42 with <c>remote_read</c> pointing here and no data of its own: its PromQL answers must be
/// the samples only this server holds (2.42's client asks for SAMPLES; streamed chunks are compared with
/// Prometheus' own encoder in Tsdb.Prometheus.Tests).
/// </summary>
public sealed class PrometheusRemoteReadTests() : ServerPerClass("read")
{
    private const string Db = "longterm";

    [Fact]
    public async Task Prometheus_reads_this_server_as_its_remote_storage()
    {
        // Two series every 15 s over an hour ending ten minutes ago, written here only; sample times sit 7.5 s off
        // the query times so 2.42's closed windows and 3.x's left-open ones agree.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        var first = now - (70 * 60_000) + 7_500;
        var written = new Dictionary<string, List<(long Ms, double Value)>> { ["a"] = [], ["b"] = [] };
        var rows = new List<(string, IReadOnlyList<(string, string)>, long, double)>();
        for (var i = 0; i < 240; i++)
        {
            foreach (var job in new[] { "a", "b" })
            {
                var value = job == "a" ? i * 1.5 : 1000 - i;
                written[job].Add((first + (i * 15_000), value));
                rows.Add(("rr_metric", [("job", job), ("instance", "x:1")], first + (i * 15_000), value));
            }
        }
        using (var content = new ByteArrayContent(RemoteWriteEncoder.Encode(rows)))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
            content.Headers.ContentEncoding.Add("snappy");
            using var response = await Http.PostAsync($"/api/v1/write?db={Db}", content);
            Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        }

        var (port, directory) = PrometheusServer.Prepare();
        var config = $"""
            global:
              scrape_interval: 1h
            remote_read:
              - url: {Server.Url.ToString().TrimEnd('/')}/api/v1/read?db={Db}
                read_recent: true
                authorization:
                  credentials: {Server.AdminToken}
            """;
        using var prometheus = PrometheusServer.Start(port, directory, config);
        using var client = new HttpClient { BaseAddress = prometheus.Url };

        // A range selector returns raw samples: exactly what was written in (t − 10m, t].
        var at = first + (100 * 15_000) + 7_500;
        var matrix = await Query(client, $"rr_metric[10m]", at);
        Assert.Equal(2, matrix.GetArrayLength());
        foreach (var series in matrix.EnumerateArray())
        {
            var job = series.GetProperty("metric").GetProperty("job").GetString()!;
            Assert.Equal("x:1", series.GetProperty("metric").GetProperty("instance").GetString());
            var expected = written[job].Where(s => s.Ms > at - 600_000 && s.Ms <= at).ToList();
            var actual = series.GetProperty("values").EnumerateArray()
                .Select(v => ((long)Math.Round(v[0].GetDouble() * 1000), double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture))).ToList();
            Assert.Equal(40, expected.Count);
            Assert.Equal(expected, actual);
        }

        // PromQL evaluated by Prometheus over those samples: a rate and an aggregation with matchers pushed here.
        var rate = await Query(client, "rate(rr_metric{job=~\"a|c\"}[5m])", at);
        var rateValue = double.Parse(Assert.Single(rate.EnumerateArray()).GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(1.5 / 15, rateValue, 9);
        var sum = await Query(client, "sum(rr_metric)", at);
        var expectedSum = written["a"].Last(s => s.Ms <= at).Value + written["b"].Last(s => s.Ms <= at).Value;
        Assert.Equal(expectedSum, double.Parse(Assert.Single(sum.EnumerateArray()).GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));

        // Its series API reads through remote read too.
        using var seriesResponse = await client.GetAsync($"/api/v1/series?match[]=rr_metric&start={(first / 1000) - 60}&end={now / 1000}");
        var labels = JsonDocument.Parse(await seriesResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal(["a", "b"], labels.EnumerateArray().Select(l => l.GetProperty("job").GetString()).Order());
    }

    [Fact]
    public async Task Status_endpoints_answer_as_grafana_and_prometheus_clients_read_them()
    {
        var rows = new List<(string, IReadOnlyList<(string, string)>, long, double)>();
        foreach (var (job, count) in new[] { ("api", 3), ("db", 1) })
        {
            for (var i = 0; i < count; i++)
            {
                rows.Add(("card_a", [("job", job), ("instance", $"host-{i}")], 1_700_000_000_000, 1));
            }
        }
        rows.Add(("card_b", [("job", "api"), ("instance", "host-0")], 1_700_000_000_000, 1));
        using (var content = new ByteArrayContent(RemoteWriteEncoder.Encode(rows)))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
            using var response = await Http.PostAsync("/api/v1/write?db=cardinality", content);
            Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        }
        var tsdb = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/status/tsdb?db=cardinality&limit=2")).RootElement.GetProperty("data");
        Assert.Equal(5, tsdb.GetProperty("headStats").GetProperty("numSeries").GetInt32());
        // __name__ ×2, job ×2, instance ×3 label pairs.
        Assert.Equal(7, tsdb.GetProperty("headStats").GetProperty("numLabelPairs").GetInt32());
        static string Pairs(JsonElement array) => string.Join(",", array.EnumerateArray().Select(e => $"{e.GetProperty("name").GetString()}:{e.GetProperty("value").GetInt64()}"));
        Assert.Equal("card_a:4,card_b:1", Pairs(tsdb.GetProperty("seriesCountByMetricName")));
        Assert.Equal("instance:3,__name__:2", Pairs(tsdb.GetProperty("labelValueCountByLabelName")));
        // Bytes of the distinct values: host-0..host-2 = 18, card_a + card_b = 12.
        Assert.Equal("instance:18,__name__:12", Pairs(tsdb.GetProperty("memoryInBytesByLabelName")));
        Assert.Equal("__name__=card_a:4,job=api:4", Pairs(tsdb.GetProperty("seriesCountByLabelValuePair")));
        using var bad = await Http.GetAsync("/api/v1/status/tsdb?db=cardinality&limit=x");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);

        var runtime = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/status/runtimeinfo")).RootElement.GetProperty("data");
        Assert.True(DateTimeOffset.Parse(runtime.GetProperty("startTime").GetString()!, CultureInfo.InvariantCulture) <= DateTimeOffset.UtcNow);
        Assert.Equal("unlimited", runtime.GetProperty("storageRetention").GetString());
        var flags = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/status/flags")).RootElement.GetProperty("data");
        Assert.Equal("50000000", flags.GetProperty("storage.remote.read-sample-limit").GetString());
        Assert.Equal("", JsonDocument.Parse(await Http.GetStringAsync("/api/v1/status/config")).RootElement.GetProperty("data").GetProperty("yaml").GetString());

        // labels, label values and series with limit: truncated with Prometheus' warning.
        var labels = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/label/instance/values?db=cardinality&limit=2")).RootElement;
        Assert.Equal(["host-0", "host-1"], labels.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("results truncated due to limit", labels.GetProperty("warnings")[0].GetString());
        var series = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/series?db=cardinality&match[]=card_a&limit=4")).RootElement;
        Assert.Equal(4, series.GetProperty("data").GetArrayLength());
        Assert.False(series.TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task Metadata_is_served_the_same_after_a_restart()
    {
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-metadata-").FullName;
        try
        {
            string? token;
            string before;
            await using (var server = await InProcessTsdb.StartAsync(dir))
            {
                token = server.AdminToken;
                var v1 = RemoteWriteClient.Request("1", RemoteWriteClient.Series(new Dictionary<string, string> { ["__name__"] = "requests_total", ["job"] = "api" }, (1_700_000_000_000, 1)));
                v1["metadata"] = new System.Text.Json.Nodes.JsonArray(
                    new System.Text.Json.Nodes.JsonObject { ["type"] = "counter", ["family"] = "requests_total", ["help"] = "Requests served.", ["unit"] = "requests" },
                    new System.Text.Json.Nodes.JsonObject { ["type"] = "gauge", ["family"] = "temperature", ["help"] = "Room temperature.", ["unit"] = "celsius" });
                Assert.Equal(204, RemoteWriteClient.Send(server.Url, token, v1, "meta").Status);
                using var http = server.Client();
                before = await http.GetStringAsync("/api/v1/metadata?db=meta");
                Assert.Contains("\"requests_total\":[{\"type\":\"counter\",\"help\":\"Requests served.\",\"unit\":\"requests\"}]", before, StringComparison.Ordinal);
                await server.StopAsync();
            }
            await using (var server = await InProcessTsdb.StartAsync(dir))
            {
                using var http = server.Client(token);
                Assert.Equal(before, await http.GetStringAsync("/api/v1/metadata?db=meta"));
                Assert.Contains("temperature", before, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// <c>--remote-read-sample-limit</c> reaches the server: the flags endpoint names it (the server hands the same value
    /// to its RemoteReader; what a read past the limit answers is RemoteReadTests' part), and a bad value is refused.
    /// </summary>
    [Fact]
    public async Task The_sample_limit_is_the_operators()
    {
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-readlimit-").FullName;
        try
        {
            await using (var server = await InProcessTsdb.StartAsync(dir, "--remote-read-sample-limit", "5"))
            {
                using var http = server.Client();
                var flags = JsonDocument.Parse(await http.GetStringAsync("/api/v1/status/flags")).RootElement.GetProperty("data");
                Assert.Equal("5", flags.GetProperty("storage.remote.read-sample-limit").GetString());
            }
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => InProcessTsdb.StartAsync(dir, "--remote-read-sample-limit", "0"));
            Assert.Contains("--remote-read-sample-limit must be at least 1", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<JsonElement> Query(HttpClient client, string query, long atMs)
    {
        var time = (atMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        using var response = await client.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}&time={time}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.False(json.TryGetProperty("warnings", out var warnings), warnings.ToString());
        return json.GetProperty("data").GetProperty("result").Clone();
    }
}
