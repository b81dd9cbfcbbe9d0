using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tsdb.Core.Compression;

namespace Tsdb.EndToEnd.Tests;

/// <summary>Remote-write 1.0 and 2.0 into a running server, encoded by an independent client (protobufjs + snappyjs).</summary>
public sealed class PrometheusRemoteWriteTests() : ServerPerClass("prw")
{

    private static Dictionary<string, string> L(params string[] pairs) =>
        Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[(2 * i) + 1]);

    private async Task<JsonElement> Get(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("success", json.GetProperty("status").GetString());
        return json.GetProperty("data").Clone();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Version_1_and_2_requests_arrive_with_their_labels_and_values()
    {
        var v1 = RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request("1",
            RemoteWriteClient.Series(L("__name__", "http_requests_total", "job", "api", "code", "200"), (1_700_000_000_000, 10), (1_700_000_015_000, 12.5)),
            RemoteWriteClient.Series(L("__name__", "http_requests_total", "job", "api", "code", "500"), (1_700_000_000_000, 1))));
        Assert.Equal(204, v1.Status);
        Assert.Equal("", v1.Body);
        Assert.False(v1.Headers.ContainsKey("X-Prometheus-Remote-Write-Samples-Written"));

        var v2Request = RemoteWriteClient.Request("2",
            RemoteWriteClient.Series(L("__name__", "temperature", "room", "kitchen", "time", "t-label"), (1_700_000_000_500, 21.25), (1_700_000_001_500, "+Inf")));
        v2Request["series"]![0]!["metadata"] = new JsonObject { ["type"] = "gauge", ["help"] = "Room temperature.", ["unit"] = "celsius" };
        v2Request["series"]![0]!["exemplars"] = new JsonArray(new JsonObject { ["labels"] = new JsonObject { ["trace_id"] = "abc" }, ["value"] = 21.25, ["ms"] = 1_700_000_000_500 });
        var v2 = RemoteWriteClient.Send(Server.Url, Server.AdminToken, v2Request);
        Assert.Equal(204, v2.Status);
        Assert.Equal("2", v2.Headers["X-Prometheus-Remote-Write-Samples-Written"]);
        Assert.Equal("0", v2.Headers["X-Prometheus-Remote-Write-Histograms-Written"]);
        Assert.Equal("1", v2.Headers["X-Prometheus-Remote-Write-Exemplars-Written"]);

        Assert.Equal(["http_requests_total", "temperature"], Strings(await Get("/api/v1/label/__name__/values")));
        Assert.Equal(["__name__", "code", "job", "room", "time"], Strings(await Get("/api/v1/labels")));
        Assert.Equal(["200", "500"], Strings(await Get("/api/v1/label/code/values")));
        Assert.Equal(["t-label"], Strings(await Get("/api/v1/label/time/values")));
        // Time ranges select: only the 500 series has nothing after 1700000010.
        Assert.Equal(["200"], Strings(await Get("/api/v1/label/code/values?start=1700000010&end=1700000020")));

        var metadata = await Get("/api/v1/metadata");
        Assert.Equal("gauge", metadata.GetProperty("temperature")[0].GetProperty("type").GetString());
        Assert.Equal("Room temperature.", metadata.GetProperty("temperature")[0].GetProperty("help").GetString());
        Assert.Equal("celsius", metadata.GetProperty("temperature")[0].GetProperty("unit").GetString());

        // The stored rows, read back through the SQL side: table per metric, tags per label, ms → ns, float value.
        var rows = await Export.RowsAsync(Http, "prometheus", "http_requests_total");
        Assert.Equal(["200|1700000000000000000|10", "200|1700000015000000000|12.5", "500|1700000000000000000|1"],
            rows.Select(r => $"{r.GetProperty("code").GetString()}|{r.GetProperty("time").GetInt64()}|{r.GetProperty("value").GetDouble()}").Order(StringComparer.Ordinal));
        var temperature = Assert.Single(await Export.RowsAsync(Http, "prometheus", "temperature"), r => r.GetProperty("time").GetInt64() == 1_700_000_000_500_000_000);
        Assert.Equal("t-label", temperature.GetProperty("label:time").GetString());
    }

    [Fact]
    public async Task Bad_requests_get_400_with_a_reason_and_do_not_disturb_good_data()
    {
        Assert.Equal(204, RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request("1",
            RemoteWriteClient.Series(L("__name__", "good", "k", "v"), (1_700_000_000_000, 1)))).Status);

        // Not snappy.
        using var notSnappy = new ByteArrayContent([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
        notSnappy.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        notSnappy.Headers.ContentEncoding.Add("snappy");
        var response = await Http.PostAsync("/api/v1/write", notSnappy);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("the body is not snappy (block format) data", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("X-Prometheus-Remote-Write-Samples-Written"));
        // The same as 2.0: the spec's written counts come with every answer after content negotiation, errors included.
        using var notSnappyV2 = new ByteArrayContent([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
        notSnappyV2.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf;proto=io.prometheus.write.v2.Request");
        notSnappyV2.Headers.ContentEncoding.Add("snappy");
        var responseV2 = await Http.PostAsync("/api/v1/write", notSnappyV2);
        Assert.Equal(HttpStatusCode.BadRequest, responseV2.StatusCode);
        foreach (var written in new[] { "Samples", "Histograms", "Exemplars" })
        {
            Assert.Equal(["0"], responseV2.Headers.GetValues($"X-Prometheus-Remote-Write-{written}-Written"));
        }

        // Snappy (from the independent client) around bytes that are not a WriteRequest.
        var badProtobuf = new JsonObject { ["version"] = "1", ["rawProtobufHex"] = "0aff" };
        var bad = RemoteWriteClient.Send(Server.Url, Server.AdminToken, badProtobuf);
        Assert.Equal(400, bad.Status);
        Assert.StartsWith("the body is not a valid prometheus.WriteRequest protobuf message", bad.Body, StringComparison.Ordinal);
        var badV2 = RemoteWriteClient.Send(Server.Url, Server.AdminToken, new JsonObject { ["version"] = "2", ["rawProtobufHex"] = "0aff" });
        Assert.Equal(400, badV2.Status);
        Assert.Equal("0", badV2.Headers["X-Prometheus-Remote-Write-Samples-Written"]);
        Assert.Equal("0", badV2.Headers["X-Prometheus-Remote-Write-Histograms-Written"]);
        Assert.Equal("0", badV2.Headers["X-Prometheus-Remote-Write-Exemplars-Written"]);

        // Native histograms are stored beside the float samples of their series (NativeHistogramTests has more).
        var histogram = RemoteWriteClient.Series(L("__name__", "latency", "k", "h"), (1_700_000_000_000, 3));
        histogram["histograms"] = new JsonArray(new JsonObject { ["count"] = 5, ["sum"] = 1.5, ["ms"] = 1_700_000_001_000, ["positiveSpans"] = new JsonArray(new JsonArray(0, 1)), ["positiveDeltas"] = new JsonArray(5) });
        foreach (var version in new[] { "1", "2" })
        {
            var stored = RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request(version, histogram.DeepClone().AsObject()));
            Assert.True(stored.Status == 204, stored.Body);
            if (version == "2")
            {
                Assert.Equal("1", stored.Headers["X-Prometheus-Remote-Write-Samples-Written"]);
                Assert.Equal("1", stored.Headers["X-Prometheus-Remote-Write-Histograms-Written"]);
                Assert.Equal("0", stored.Headers["X-Prometheus-Remote-Write-Exemplars-Written"]);
            }
        }

        // A series without a name, next to a good one.
        var partial = RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request("1",
            RemoteWriteClient.Series(L("job", "x"), (1_700_000_000_000, 1)),
            RemoteWriteClient.Series(L("__name__", "good", "k", "w"), (1_700_000_000_000, 2))));
        Assert.Equal(400, partial.Status);
        Assert.Contains("1 series refused, 1 samples of the other series stored: series {job=\"x\"}: no metric name (label __name__)", partial.Body, StringComparison.Ordinal);

        // Unknown content type or encoding: 415.
        Assert.Equal(415, RemoteWriteClient.Send(Server.Url, Server.AdminToken, new JsonObject { ["version"] = "1", ["contentType"] = "application/json", ["series"] = new JsonArray() }).Status);
        using var gzip = new ByteArrayContent(Snappy.Compress([]));
        gzip.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Http.PostAsync("/api/v1/write", gzip)).StatusCode);

        // No token: 401, nothing stored.
        Assert.Equal(401, RemoteWriteClient.Send(Server.Url, null, RemoteWriteClient.Request("1",
            RemoteWriteClient.Series(L("__name__", "good", "k", "intruder"), (1_700_000_000_000, 3)))).Status);

        Assert.Equal(["h", "v", "w"], Strings(await Get("/api/v1/label/k/values")));
        Assert.Equal(["good", "latency"], Strings(await Get("/api/v1/label/__name__/values")));
        Assert.Equal(2, (await Export.RowsAsync(Http, "prometheus", "good")).Count);
    }

    [Fact]
    public async Task Stale_markers_end_a_series_where_a_plain_NaN_does_not()
    {
        var response = RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request("2",
            RemoteWriteClient.Series(L("__name__", "up", "job", "stale"), (1_700_000_000_000, 1), (1_700_000_015_000, "stale")),
            RemoteWriteClient.Series(L("__name__", "up", "job", "nan"), (1_700_000_000_000, 1), (1_700_000_015_000, "NaN"))));
        Assert.Equal(204, response.Status);
        Assert.Equal("4", response.Headers["X-Prometheus-Remote-Write-Samples-Written"]);

        // Before the marker both series answer; after it only the NaN one does (the stale marker reached the engine with its bits).
        Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"nan\"},\"value\":[1700000010.500,\"1\"]},{\"metric\":{\"__name__\":\"up\",\"job\":\"stale\"},\"value\":[1700000010.500,\"1\"]}]}}",
            await Http.GetStringAsync("/api/v1/query?query=up&time=1700000010.5"));
        Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"nan\"},\"value\":[1700000016,\"NaN\"]}]}}",
            await Http.GetStringAsync("/api/v1/query?query=up&time=1700000016"));

        // And again after the rows went to Parquet.
        (await Http.PostAsync("/api/v3/persist", null)).EnsureSuccessStatusCode();
        Assert.Equal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"nan\"},\"value\":[1700000016,\"NaN\"]}]}}",
            await Http.GetStringAsync("/api/v1/query?query=up&time=1700000016"));
        var range = await Get("/api/v1/query_range?query=up&start=1700000000&end=1700000030&step=15");
        Assert.Equal("[{\"metric\":{\"__name__\":\"up\",\"job\":\"nan\"},\"values\":[[1700000000,\"1\"],[1700000015,\"NaN\"],[1700000030,\"NaN\"]]},{\"metric\":{\"__name__\":\"up\",\"job\":\"stale\"},\"values\":[[1700000000,\"1\"]]}]",
            range.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Series_labels_and_values_take_match_selectors()
    {
        Assert.Equal(204, RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request("1",
            RemoteWriteClient.Series(L("__name__", "a_metric", "env", "prod", "zone", "eu"), (1_700_000_000_000, 1)),
            RemoteWriteClient.Series(L("__name__", "a_metric", "env", "dev"), (1_700_000_000_000, 2)),
            RemoteWriteClient.Series(L("__name__", "b_metric", "env", "prod"), (1_700_000_100_000, 3)))).Status);

        Assert.Equal("[{\"__name__\":\"a_metric\",\"env\":\"dev\"},{\"__name__\":\"a_metric\",\"env\":\"prod\",\"zone\":\"eu\"}]",
            (await Get("/api/v1/series?match%5B%5D=a_metric")).GetRawText());
        Assert.Equal("[{\"__name__\":\"a_metric\",\"env\":\"prod\",\"zone\":\"eu\"},{\"__name__\":\"b_metric\",\"env\":\"prod\"}]",
            (await Get("/api/v1/series?match%5B%5D=" + Uri.EscapeDataString("{env=\"prod\"}"))).GetRawText());
        Assert.Equal("[{\"__name__\":\"b_metric\",\"env\":\"prod\"}]",
            (await Get("/api/v1/series?match%5B%5D=" + Uri.EscapeDataString("{__name__=~\".+\"}") + "&start=1700000050&end=1700000200")).GetRawText());
        Assert.Equal(["__name__", "env", "zone"], Strings(await Get("/api/v1/labels?match%5B%5D=a_metric")));
        Assert.Equal(["dev", "prod"], Strings(await Get("/api/v1/label/env/values?match%5B%5D=a_metric")));
        var limited = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/label/env/values?limit=1")).RootElement;
        Assert.Equal(["dev"], Strings(limited.GetProperty("data")));
        Assert.Equal("results truncated due to limit", limited.GetProperty("warnings")[0].GetString());

        var bad = await Http.GetAsync("/api/v1/series?match%5B%5D=" + Uri.EscapeDataString("{env=}"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("bad_data", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("errorType").GetString());
    }
}
