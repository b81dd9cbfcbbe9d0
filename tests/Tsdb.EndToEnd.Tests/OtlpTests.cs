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
        // The exponential histogram is a native histogram: 100 and 2000 recorded.
        Assert.Equal(2, await Promql(db, $"histogram_count(payload_size_bytes{{{i}}})"));
        Assert.Equal(2100, await Promql(db, $"histogram_sum(payload_size_bytes{{{i}}})"));
        // Interpolated inside the bucket of each observation (Prometheus 3 counts q ≥ 0.5 from the top).
        Assert.InRange(await Promql(db, $"histogram_quantile(0.25, payload_size_bytes{{{i}}})"), 90, 110);
        Assert.InRange(await Promql(db, $"histogram_quantile(0.5, payload_size_bytes{{{i}}})"), 1800, 2200);
        Assert.InRange(await Promql(db, $"histogram_quantile(0.99, payload_size_bytes{{{i}}})"), 1800, 2200);
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
        // Every point stored (the exponential histogram too): no partial success for the SDK to log.
        Assert.Empty(logs);
        await AssertRecorded("js", $"node-{protocol}");
        var metadata = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/metadata?db=js")).RootElement.GetProperty("data");
        Assert.Equal(("counter", "Orders placed."), (metadata.GetProperty("orders_total")[0].GetProperty("type").GetString(), metadata.GetProperty("orders_total")[0].GetProperty("help").GetString()));
        Assert.Equal(("histogram", "seconds"), (metadata.GetProperty("request_duration_seconds")[0].GetProperty("type").GetString(), metadata.GetProperty("request_duration_seconds")[0].GetProperty("unit").GetString()));
    }

    [Fact]
    public async Task The_dotnet_sdk_exports_every_instrument()
    {
        RecordWithDotNet(new Uri(Server.Url, "/v1/metrics?db=dotnet"), Server.AdminToken!);
        // The base-2 exponential histogram view's points arrive as native histograms (AssertRecorded).
        await AssertRecorded("dotnet", "dotnet-1");
        // Type, unit and help reach the metadata API (kept in the catalog).
        using var metadata = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/metadata?db=dotnet&metric=orders_total"));
        var entry = metadata.RootElement.GetProperty("data").GetProperty("orders_total")[0];
        Assert.Equal("counter", entry.GetProperty("type").GetString());
        Assert.Equal("Orders placed.", entry.GetProperty("help").GetString());
    }

    [Fact]
    public async Task The_dotnet_sdk_exports_over_grpc_on_the_same_port()
    {
        // OTLP/gRPC (the SDKs' and the Collector's default protocol) to the server's one port, h2c; the database as
        // the "database" metadata, as for Flight.
        RecordWithDotNet(Server.Url, Server.AdminToken!, OtlpExportProtocol.Grpc, "database=grpc");
        await AssertRecorded("grpc", "dotnet-1");
    }

    [Fact]
    public async Task Grpc_calls_are_answered_with_the_statuses_otlp_gives_retry_meaning_to()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(Server.Url);
        var invoker = channel.CreateCallInvoker();
        var bytes = Grpc.Core.Marshallers.Create<byte[]>(b => b, b => b);
        var export = new Grpc.Core.Method<byte[], byte[]>(Grpc.Core.MethodType.Unary, "opentelemetry.proto.collector.metrics.v1.MetricsService", "Export", bytes, bytes);
        async Task<byte[]> Call(byte[] body, params (string Key, string Value)[] headers)
        {
            var metadata = new Grpc.Core.Metadata();
            foreach (var (key, value) in headers)
            {
                metadata.Add(key, value);
            }
            return await invoker.AsyncUnaryCall(export, null, new Grpc.Core.CallOptions(metadata), body);
        }
        var admin = ("authorization", "Bearer " + Server.AdminToken);

        // A gauge and a delta sum: OK, and the response's partial_success counts the refused delta point.
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        var answer = await Call(ExportRequest(Metric("grpc_gauge", 5, Points(now, 4)), Metric("grpc_delta", 7, [.. Points(now, 1), .. Varint(WireFormat.MakeTag(2, WireFormat.WireType.Varint)), .. Varint(1)])), admin, ("database", "grpcraw"));
        var partial = new CodedInputStream(answer);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), partial.ReadTag());
        var inner = new CodedInputStream(partial.ReadBytes().ToByteArray());
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.Varint), inner.ReadTag());
        Assert.Equal(1, inner.ReadInt64());
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited), inner.ReadTag());
        Assert.Contains("delta aggregation temporality is not supported", inner.ReadString(), StringComparison.Ordinal);
        Assert.Equal(4, await Promql("grpcraw", "grpc_gauge"));

        // Not protobuf: INVALID_ARGUMENT (not retried), with the decoder's message.
        var bad = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Call([0x0a, 0xff, 0x01], admin));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("the body is not a valid opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest protobuf message", bad.Status.Detail, StringComparison.Ordinal);

        // No token: UNAUTHENTICATED; a token that may only read the database: PERMISSION_DENIED, nothing stored.
        var anonymous = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Call(ExportRequest(Metric("grpc_gauge", 5, Points(now, 9)))));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, anonymous.StatusCode);
        using var created = await Http.PostAsync("/api/v3/configure/token", new StringContent("""{"name":"otlp_reader","permissions":["db:grpcraw:read"]}""", Encoding.UTF8, "application/json"));
        var reader = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        var denied = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Call(ExportRequest(Metric("grpc_gauge", 5, Points(now + 1, 9))), ("authorization", "Bearer " + reader), ("database", "grpcraw")));
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(4, await Promql("grpcraw", "grpc_gauge"));
    }

    // ExportMetricsServiceRequest by hand (field numbers of opentelemetry/proto/metrics/v1/metrics.proto): one resource,
    // one scope, the given Metric messages.
    private static byte[] ExportRequest(params byte[][] metrics) => Field(1, Field(2, [.. metrics.SelectMany(m => Field(2, m))]));

    /// <summary>A Metric with a gauge (5) or sum (7) holding one NumberDataPoint; extra bytes go into the gauge/sum (e.g. temporality).</summary>
    private static byte[] Metric(string name, int kind, byte[] body) => [.. Field(1, Encoding.UTF8.GetBytes(name)), .. Field(kind, body)];

    private static byte[] Points(ulong timeNanos, double value)
    {
        var point = new byte[18];
        point[0] = (byte)WireFormat.MakeTag(3, WireFormat.WireType.Fixed64);
        BitConverter.TryWriteBytes(point.AsSpan(1, 8), timeNanos);
        point[9] = (byte)WireFormat.MakeTag(4, WireFormat.WireType.Fixed64);
        BitConverter.TryWriteBytes(point.AsSpan(10, 8), value);
        return Field(1, point);
    }

    private static byte[] Field(int number, byte[] message) =>
        [.. Varint(WireFormat.MakeTag(number, WireFormat.WireType.LengthDelimited)), .. Varint((uint)message.Length), .. message];

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>Records the same instruments as the JS script with System.Diagnostics.Metrics, exported once by the OpenTelemetry .NET OTLP exporter.</summary>
    private static void RecordWithDotNet(Uri endpoint, string token, OtlpExportProtocol protocol = OtlpExportProtocol.HttpProtobuf, string? headers = null)
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
                exporter.Protocol = protocol;
                exporter.Headers = $"Authorization=Bearer {token}" + (headers is null ? "" : "," + headers);
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
