using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Exemplars from remote write 1.0 and 2.0 (the independent protobufjs encoder) and OTLP/JSON, read back through
/// <c>/api/v1/query_exemplars</c> from the buffer, from Parquet after a persist, after a restart and after kill -9.
/// </summary>
public sealed class ExemplarTests : IDisposable
{
    private const long T0 = 1_700_000_000_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-exemplars-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, string> L(params string[] pairs) =>
        Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[(2 * i) + 1]);

    private static JsonObject Exemplar(long ms, double value, params string[] labels)
    {
        var labelObject = new JsonObject();
        foreach (var (name, text) in L(labels))
        {
            labelObject[name] = text;
        }
        return new JsonObject { ["labels"] = labelObject, ["value"] = value, ["ms"] = ms };
    }

    private static JsonObject WithExemplars(JsonObject series, params JsonObject[] exemplars)
    {
        series["exemplars"] = new JsonArray([.. exemplars]);
        return series;
    }

    private static async Task<(HttpStatusCode Status, string Body)> QueryExemplars(HttpClient http, string query, string range = "", string db = "ex")
    {
        var response = await http.GetAsync($"/api/v1/query_exemplars?db={db}&query={Uri.EscapeDataString(query)}{range}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Remote write 1.0 and 2.0 requests with exemplars; returns the answer to the 2.0 one.</summary>
    private static RemoteWriteClient.Response SendRemoteWrites(Uri url)
    {
        var v1 = RemoteWriteClient.Send(url, null, RemoteWriteClient.Request("1",
            WithExemplars(RemoteWriteClient.Series(L("__name__", "http_requests_total", "job", "api", "code", "200"), (T0, 10), (T0 + 15_000, 12)),
                Exemplar(T0 + 123, 0.5, "trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7"),
                Exemplar(T0 + 15_000, 1.25, "trace_id", "a1")),
            WithExemplars(RemoteWriteClient.Series(L("__name__", "http_requests_total", "job", "api", "code", "500"), (T0, 1)),
                Exemplar(T0 + 1, 7, "trace_id", "b2"))), db: "ex");
        Assert.True(v1.Status == 204, v1.Body);
        var v2 = RemoteWriteClient.Send(url, null, RemoteWriteClient.Request("2",
            WithExemplars(RemoteWriteClient.Series(L("__name__", "latency_seconds_bucket", "job", "api", "le", "0.5"), (T0, 3)),
                Exemplar(T0 + 2_000, 0.3, "trace_id", "c3", "user", "ünïcode \"q\""))), db: "ex");
        return v2;
    }

    private const string HttpRequestsExemplars =
        """{"status":"success","data":[{"seriesLabels":{"__name__":"http_requests_total","code":"200","job":"api"},"exemplars":[{"labels":{"span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"},"value":"0.5","timestamp":1700000000.123},{"labels":{"trace_id":"a1"},"value":"1.25","timestamp":1700000015}]},{"seriesLabels":{"__name__":"http_requests_total","code":"500","job":"api"},"exemplars":[{"labels":{"trace_id":"b2"},"value":"7","timestamp":1700000000.001}]}]}""";

    private const string LatencyExemplars =
        """{"status":"success","data":[{"seriesLabels":{"__name__":"latency_seconds_bucket","job":"api","le":"0.5"},"exemplars":[{"labels":{"trace_id":"c3","user":"ünïcode \"q\""},"value":"0.3","timestamp":1700000002}]}]}""";

    private const string OtlpJson = """
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeMetrics":[{"metrics":[
          {"name":"orders","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"timeUnixNano":"1700000000000000000","asInt":"3",
            "exemplars":[{"timeUnixNano":"1700000000250000000","asInt":"1","traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","filteredAttributes":[{"key":"user","value":{"stringValue":"ann"}}]}]}]}},
          {"name":"rpc","unit":"s","histogram":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"1700000000000000000","count":"2","sum":3,"bucketCounts":["1","1"],"explicitBounds":[1],
            "exemplars":[{"timeUnixNano":"1700000000500000000","asDouble":2.5,"traceId":"0102030405060708090a0b0c0d0e0f10"}]}]}}]}]}]}
        """;

    private const string OtlpOrdersExemplars =
        """{"status":"success","data":[{"seriesLabels":{"__name__":"orders_total","job":"shop"},"exemplars":[{"labels":{"span_id":"eee19b7ec3c1b174","trace_id":"5b8efff798038103d269b633813fc60c","user":"ann"},"value":"1","timestamp":1700000000.250}]}]}""";

    private const string OtlpRpcExemplars =
        """{"status":"success","data":[{"seriesLabels":{"__name__":"rpc_seconds_bucket","job":"shop","le":"+Inf"},"exemplars":[{"labels":{"trace_id":"0102030405060708090a0b0c0d0e0f10"},"value":"2.5","timestamp":1700000000.500}]}]}""";

    private static async Task AssertAllServed(HttpClient http, string where)
    {
        foreach (var (query, expected) in new[]
        {
            ("http_requests_total", HttpRequestsExemplars),
            ("sum(rate(http_requests_total[5m])) / histogram_quantile(0.9, latency_seconds_bucket)", Merge(HttpRequestsExemplars, LatencyExemplars)),
            ("latency_seconds_bucket{le=\"0.5\"}", LatencyExemplars),
            ("orders_total", OtlpOrdersExemplars),
            ("rpc_seconds_bucket", OtlpRpcExemplars),
        })
        {
            var (status, body) = await QueryExemplars(http, query);
            Assert.True(status == HttpStatusCode.OK && body == expected, $"{where}, {query}: {(int)status}\n{body}\nexpected\n{expected}");
        }
        // The time range selects, both ends included (seconds or RFC 3339, as the other endpoints take them).
        var (_, ranged) = await QueryExemplars(http, "{__name__=~\"http_requests_total|latency_seconds_bucket\", job=\"api\"}", "&start=1700000000.123&end=2023-11-14T22:13:22Z");
        Assert.True(ranged == Merge(HttpRequestsExemplars, LatencyExemplars).Replace(",{\"seriesLabels\":{\"__name__\":\"http_requests_total\",\"code\":\"500\",\"job\":\"api\"},\"exemplars\":[{\"labels\":{\"trace_id\":\"b2\"},\"value\":\"7\",\"timestamp\":1700000000.001}]}", "", StringComparison.Ordinal)
            .Replace(",{\"labels\":{\"trace_id\":\"a1\"},\"value\":\"1.25\",\"timestamp\":1700000015}", "", StringComparison.Ordinal), $"{where}: {ranged}");
    }

    /// <summary>Two answers' series in one answer (the first's series sort before the second's).</summary>
    private static string Merge(string first, string second) => first[..^2] + "," + second[(second.IndexOf('[', StringComparison.Ordinal) + 1)..];

    [Fact]
    public async Task Exemplars_of_remote_write_1_and_2_and_otlp_are_served_from_the_buffer_parquet_and_after_a_restart()
    {
        var data = Path.Combine(_dir, "data");
        await using (var server = await InProcessTsdb.StartAsync(data, "--without-auth"))
        {
            using var http = server.Client();
            var v2 = SendRemoteWrites(server.Url);
            Assert.True(v2.Status == 204, v2.Body);
            Assert.Equal(("1", "1"), (v2.Headers["X-Prometheus-Remote-Write-Samples-Written"], v2.Headers["X-Prometheus-Remote-Write-Exemplars-Written"]));
            using var otlp = new StringContent(OtlpJson, Encoding.UTF8, "application/json");
            var otlpResponse = await http.PostAsync("/v1/metrics?db=ex", otlp);
            Assert.Equal(HttpStatusCode.OK, otlpResponse.StatusCode);
            Assert.Equal("{}", (await otlpResponse.Content.ReadAsStringAsync()).Replace(" ", "", StringComparison.Ordinal));
            await AssertAllServed(http, "buffer");

            // SQL sees the exemplar tables as what they are; PromQL and the label endpoints do not see them as metrics.
            var tables = await http.GetStringAsync("/api/v3/query_sql?db=ex&format=csv&q=" + Uri.EscapeDataString("SHOW TABLES"));
            Assert.Contains("http_requests_total#exemplars", tables, StringComparison.Ordinal);
            var names = JsonDocument.Parse(await http.GetStringAsync("/api/v1/label/__name__/values?db=ex")).RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToArray();
            Assert.DoesNotContain(names, n => n!.Contains('#', StringComparison.Ordinal));
            Assert.Contains("http_requests_total", names);
            var rows = await Export.RowsAsync(http, "ex", "http_requests_total#exemplars");
            Assert.Contains(rows, r => r.GetProperty("exemplar:labels").GetString() == "{\"trace_id\":\"a1\"}" && r.GetProperty("code").GetString() == "200");

            Assert.True((await http.PostAsync("/api/v3/persist", null)).IsSuccessStatusCode);
            await AssertAllServed(http, "Parquet");
        }
        await using (var server = await InProcessTsdb.StartAsync(data, "--without-auth"))
        {
            using var http = server.Client();
            await AssertAllServed(http, "after a restart");
        }
    }

    [Fact]
    public async Task Acknowledged_exemplars_survive_kill_9()
    {
        var data = Path.Combine(_dir, "killed");
        await using (var server = await TsdbProcess.StartAsync(data, "--without-auth"))
        {
            var v2 = SendRemoteWrites(server.Url);
            Assert.True(v2.Status == 204, v2.Body);
            using var http = server.Client();
            using var otlp = new StringContent(OtlpJson, Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/metrics?db=ex", otlp)).StatusCode);
            server.Kill();
        }
        await using (var server = await TsdbProcess.StartAsync(data, "--without-auth"))
        {
            using var http = server.Client();
            await AssertAllServed(http, "after kill -9");
        }
    }

    [Fact]
    public async Task Bad_queries_times_and_databases_are_bad_data_and_a_query_without_selectors_has_none()
    {
        await using var server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "errors"), "--without-auth");
        using var http = server.Client();
        // A query without selectors: 204 and no body, as Prometheus 2.42 answers (PrometheusInteropTests compares).
        Assert.Equal((HttpStatusCode.NoContent, ""), await QueryExemplars(http, "1 + 1"));
        foreach (var (query, range, message) in new[]
        {
            ("sum(up", "", "1:7: parse error: unclosed left parenthesis"),
            ("up", "&start=10&end=5", "end timestamp must not be before start timestamp"),
            ("up", "&start=yesterday", "invalid parameter \\\"start\\\": cannot parse \\\"yesterday\\\" to a valid timestamp"),
            ("up", "", "database 'ex' not found: name one with ?db=NAME (Grafana: a custom query parameter db=NAME)"),
        })
        {
            var (status, body) = await QueryExemplars(http, query, range);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal($"{{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"{message}\"}}", body);
        }
        // An exemplar with labels over Prometheus' 128 characters is refused with a reason; its series' samples are stored.
        var response = RemoteWriteClient.Send(server.Url, null, RemoteWriteClient.Request("2",
            WithExemplars(RemoteWriteClient.Series(L("__name__", "m", "job", "a"), (T0, 1)), Exemplar(T0, 1, "trace_id", new string('x', 121)))), db: "ex");
        Assert.Equal(400, response.Status);
        Assert.Equal(("1", "0"), (response.Headers["X-Prometheus-Remote-Write-Samples-Written"], response.Headers["X-Prometheus-Remote-Write-Exemplars-Written"]));
        Assert.EndsWith($"at {T0} ms: label length for exemplar exceeds maximum of 128 UTF-8 characters", response.Body.Trim(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "{\"status\":\"success\",\"data\":[]}"), await QueryExemplars(http, "m"));
        var samples = await http.GetStringAsync($"/api/v1/query?db=ex&query=m&time={(T0 / 1000) + 1}");
        Assert.Contains("\"value\":[1700000001,\"1\"]", samples, StringComparison.Ordinal);
    }
}
