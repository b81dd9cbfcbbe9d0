using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// OTLP metrics from the OpenTelemetry SDKs (JS: JSON and protobuf exporters; .NET: HTTP/protobuf) into a running
/// server, checked through PromQL and SQL against what was recorded.
/// </summary>
public sealed class OtlpTests() : ServerPerClass("otlp")
{
    private const string ExpoRefusal = "metric \\\"payload_size_bytes\\\": exponential histograms are not supported yet (they become native histograms, which this store does not keep yet); 1 data points refused";

    private async Task<double> Promql(string db, string query)
    {
        var response = await Http.GetAsync($"/api/v1/query?db={db}&query={Uri.EscapeDataString(query)}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode} {text}");
        var result = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("result");
        Assert.True(result.GetArrayLength() == 1, $"{query}: {text}");
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    private async Task<string[]> Sql(string db, string sql)
    {
        var response = await Http.GetAsync($"/api/v3/query_sql?db={db}&format=csv&q={Uri.EscapeDataString(sql)}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{sql}: {(int)response.StatusCode} {text}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1..];
    }

    /// <summary>What both SDKs recorded (see tests/interop/otlp/send-metrics.mjs and <see cref="RecordWithDotNet"/>).</summary>
    private async Task AssertRecorded(string db, string instance)
    {
        var i = $"instance=\"{instance}\",job=\"shop/checkout\"";
        Assert.Equal(8, await Promql(db, $"orders_total{{{i},shop=\"a\"}}"));
        Assert.Equal(2, await Promql(db, $"orders_total{{{i},shop=\"b\"}}"));
        Assert.Equal(6, await Promql(db, $"queue_depth{{{i}}}"));
        Assert.Equal(21.5, await Promql(db, $"room_temperature_celsius{{{i},room=\"kitchen\"}}"));
        Assert.Equal(1, await Promql(db, $"request_duration_seconds_bucket{{{i},le=\"0.1\"}}"));
        Assert.Equal(3, await Promql(db, $"request_duration_seconds_bucket{{{i},le=\"0.5\"}}"));
        Assert.Equal(3, await Promql(db, $"request_duration_seconds_bucket{{{i},le=\"1\"}}"));
        Assert.Equal(4, await Promql(db, $"request_duration_seconds_bucket{{{i},le=\"+Inf\"}}"));
        Assert.Equal(4, await Promql(db, $"request_duration_seconds_count{{{i}}}"));
        Assert.Equal(2.65, await Promql(db, $"request_duration_seconds_sum{{{i}}}"), 9);
        // The classic histogram works with histogram_quantile: the median falls in (0.1, 0.5].
        var median = await Promql(db, $"histogram_quantile(0.5, request_duration_seconds_bucket{{{i}}})");
        Assert.InRange(median, 0.1, 0.5);
        Assert.Equal(1, await Promql(db, $"target_info{{{i},host_name=\"test-host\"}}"));
        Assert.Equal(0, await Promql(db, $"count(payload_size_bytes_count{{{i}}}) or vector(0)"));
        // Tables for SQL: one per metric, labels as tags, the value as the float field "value" (DISTINCT: an SDK may
        // export the same cumulative values twice, at flush and at shutdown).
        Assert.Equal(["a,8", "b,2"], await Sql(db, $"SELECT DISTINCT shop, value FROM orders_total WHERE instance = '{instance}' ORDER BY shop"));
        Assert.Equal(["+Inf,4", "0.1,1", "0.5,3", "1,3"], await Sql(db, $"SELECT DISTINCT le, value FROM request_duration_seconds_bucket WHERE instance = '{instance}' ORDER BY le"));
    }

    [Theory]
    [InlineData("json", "/v1/metrics")]
    [InlineData("proto", "/api/v1/otlp/v1/metrics")]
    public async Task The_javascript_sdk_exports_every_instrument(string protocol, string path)
    {
        var result = NodeRunner.Run("otlp/send-metrics.mjs", new Uri(Server.Url, $"{path}?db=js").ToString(), protocol, "test-host", Server.AdminToken!).EnsureSuccess("send-metrics.mjs");
        var logs = JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("logs").EnumerateArray().Select(l => l.GetString()!).ToList();
        // The exponential histogram is the one refused point, and the SDK hears why.
        var rejected = protocol == "json" ? "\"1\"" : "1";
        Assert.Equal([$"warn: Received Partial Success response: {{\"rejectedDataPoints\":{rejected},\"errorMessage\":\"{ExpoRefusal}\"}}"], logs);
        await AssertRecorded("js", $"node-{protocol}");
        var metadata = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/metadata?db=js")).RootElement.GetProperty("data");
        Assert.Equal(("counter", "Orders placed."), (metadata.GetProperty("orders_total")[0].GetProperty("type").GetString(), metadata.GetProperty("orders_total")[0].GetProperty("help").GetString()));
        Assert.Equal(("histogram", "seconds"), (metadata.GetProperty("request_duration_seconds")[0].GetProperty("type").GetString(), metadata.GetProperty("request_duration_seconds")[0].GetProperty("unit").GetString()));
    }

    [Fact]
    public async Task The_dotnet_sdk_exports_every_instrument()
    {
        RecordWithDotNet(new Uri(Server.Url, "/v1/metrics?db=dotnet"), Server.AdminToken!);
        // The exporter keeps the partial-success answer to itself; the refusal of the exponential histogram is asserted
        // from the JS SDK above and in Tsdb.Otlp.Tests. Here: it was not stored.
        await AssertRecorded("dotnet", "dotnet-1");
        // Type, unit and help reach the metadata API (kept in the catalog).
        using var metadata = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/metadata?db=dotnet&metric=orders_total"));
        var entry = metadata.RootElement.GetProperty("data").GetProperty("orders_total")[0];
        Assert.Equal("counter", entry.GetProperty("type").GetString());
        Assert.Equal("Orders placed.", entry.GetProperty("help").GetString());
    }

    /// <summary>Records the same instruments as the JS script with System.Diagnostics.Metrics, exported once by the OpenTelemetry .NET OTLP exporter.</summary>
    private static void RecordWithDotNet(Uri endpoint, string token)
    {
        using var meter = new Meter("dotnet.checkout", "1.2.3");
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.Clear().AddService("checkout", serviceNamespace: "shop", serviceInstanceId: "dotnet-1").AddAttributes([new("host.name", "test-host")]))
            .AddMeter(meter.Name)
            .AddView("request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.1, 0.5, 1] })
            .AddView("payload.size", new Base2ExponentialBucketHistogramConfiguration())
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Headers = $"Authorization=Bearer {token}";
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build())
        {
            var orders = meter.CreateCounter<long>("orders", "{order}", "Orders placed.");
            orders.Add(5, new KeyValuePair<string, object?>("shop", "a"));
            orders.Add(2, new KeyValuePair<string, object?>("shop", "b"));
            orders.Add(3, new KeyValuePair<string, object?>("shop", "a"));
            var queue = meter.CreateUpDownCounter<int>("queue.depth", "{item}");
            queue.Add(10);
            queue.Add(-4);
            meter.CreateGauge<double>("room.temperature", "Cel").Record(21.5, new KeyValuePair<string, object?>("room", "kitchen"));
            var duration = meter.CreateHistogram<double>("request.duration", "s");
            foreach (var v in new[] { 0.05, 0.3, 0.3, 2 })
            {
                duration.Record(v, new KeyValuePair<string, object?>("route", "/pay"));
            }
            var payload = meter.CreateHistogram<long>("payload.size", "By");
            payload.Record(100);
            payload.Record(2000);
            Assert.True(provider.ForceFlush(30_000));
        }
    }

    [Fact]
    public async Task Bodies_are_answered_in_the_otlp_dialect()
    {
        // gzip'd JSON with a delta sum: 200 with the partial success, in JSON.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var json = $$$"""{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"d","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"timeUnixNano":"{{{now}}}","asDouble":1}]}},{"name":"ok","gauge":{"dataPoints":[{"timeUnixNano":"{{{now}}}","asDouble":4}]}}]}]}]}""";
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }
        using var content = new ByteArrayContent(gzipped.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        var response = await Http.PostAsync("/v1/metrics?db=raw", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var partial = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("partialSuccess");
        Assert.Equal("1", partial.GetProperty("rejectedDataPoints").GetString());
        Assert.StartsWith("metric \"d\": delta aggregation temporality is not supported", partial.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, await Promql("raw", "ok"));

        // Undecodable protobuf: 400 with a google.rpc.Status (code 3, message) in protobuf.
        using var bad = new ByteArrayContent([0x0a, 0xff, 0x01]);
        bad.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        response = await Http.PostAsync("/api/v1/otlp/v1/metrics?db=raw", bad);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = new CodedInputStream(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.Varint), status.ReadTag());
        Assert.Equal(3, status.ReadInt32());
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited), status.ReadTag());
        Assert.StartsWith("the body is not a valid opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest protobuf message", status.ReadString(), StringComparison.Ordinal);

        // Another content type: 415.
        using var text = new StringContent("x", Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Http.PostAsync("/v1/metrics", text)).StatusCode);

        // Over the body limit (10 MiB by default), compressed or not: 413.
        using var huge = new ByteArrayContent(new byte[11 << 20]);
        huge.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Http.PostAsync("/v1/metrics", huge)).StatusCode);
    }

    [Fact]
    public async Task The_serve_options_choose_names_promoted_attributes_and_scope_labels()
    {
        await using var server = await InProcessTsdb.StartAsync(Path.Combine(Dir, "options"),
            "--otlp-translation-strategy", "UnderscoreEscapingWithoutSuffixes", "--otlp-promote-resource-attributes", "host.name",
            "--otlp-keep-identifying-resource-attributes", "--otlp-promote-scope-metadata", "false");
        using var http = server.Client();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var json = $$$"""{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},{"key":"host.name","value":{"stringValue":"h9"}}]},"scopeMetrics":[{"scope":{"name":"lib","version":"1"},"metrics":[{"name":"http.requests","unit":"{request}","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"timeUnixNano":"{{{now}}}","asInt":"7"}]}}]}]}]}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/api/v1/otlp/v1/metrics?db=opts", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var query = await http.GetStringAsync($"/api/v1/query?db=opts&query={Uri.EscapeDataString("{__name__=~\"http_requests|target_info\"}")}");
        var series = JsonDocument.Parse(query).RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => string.Join(",", r.GetProperty("metric").EnumerateObject().Select(l => $"{l.Name}={l.Value.GetString()}").Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["__name__=http_requests,host_name=h9,job=api", "__name__=target_info,host_name=h9,job=api,service_name=api"], series);
    }
}
