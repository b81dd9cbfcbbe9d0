using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// /metrics (read by our parser and by a real Prometheus), probes, the JSON 404, --disable-authz, response
/// compression, the request log and the version, against the real server process.
/// </summary>
public sealed partial class ObservabilityTests() : ProcessServerPerClass("obs")
{
    private static StringContent Lines(string text) => new(text, Encoding.UTF8, "text/plain");

    [Fact]
    public async Task Metrics_count_writes_by_api_and_queries_by_language_and_parse_as_the_text_format()
    {
        var before = await ScrapeAsync(Http);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostAsync("/api/v3/write_lp?db=obs_m", Lines("cpu,host=a usage=1 1\ncpu,host=b usage=2 2"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostAsync("/api/v2/write?bucket=obs_m&precision=ns", Lines("cpu,host=c usage=3 3"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostAsync("/write?db=obs_m", Lines("cpu,host=d usage=4 4"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsync("/api/v3/write_lp?db=obs_m", Lines("cpu,host=e usage=5 5\nnot line protocol"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v3/query_sql?db=obs_m&q=SELECT%20count(*)%20FROM%20cpu")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/v3/query_sql?db=obs_m&q=SELEKT")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/query?db=obs_m&q=SELECT%20usage%20FROM%20cpu")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v1/query?db=obs_m&query=cpu_usage&time=1")).StatusCode);

        var after = await ScrapeAsync(Http);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Equal(1, Delta("tsdb_write_requests_total", "api=v3", "outcome=ok"));
        Assert.Equal(1, Delta("tsdb_write_requests_total", "api=v3", "outcome=partial"));
        Assert.Equal(1, Delta("tsdb_write_requests_total", "api=v2", "outcome=ok"));
        Assert.Equal(1, Delta("tsdb_write_requests_total", "api=v1", "outcome=ok"));
        Assert.Equal(3, Delta("tsdb_write_lines_total", "api=v3"));
        Assert.Equal(1, Delta("tsdb_write_rejected_lines_total", "api=v3"));
        Assert.True(Delta("tsdb_write_request_bytes_total", "api=v3") > 40);
        Assert.Equal(1, Delta("tsdb_queries_total", "language=sql", "status=ok"));
        Assert.Equal(1, Delta("tsdb_queries_total", "language=sql", "status=client_error"));
        Assert.Equal(1, Delta("tsdb_queries_total", "language=influxql", "status=ok"));
        Assert.Equal(1, Delta("tsdb_queries_total", "language=promql", "status=ok"));
        Assert.Equal(1, Delta("tsdb_query_duration_seconds_count", "language=sql", "status=ok"));
        Assert.Equal(0, after.Sum("tsdb_queries_running"));
        Assert.True(Delta("tsdb_wal_fsync_duration_seconds_count") >= 4);
        Assert.True(Delta("tsdb_wal_group_records_count") >= 4);
        Assert.True(after.Sum("tsdb_buffer_rows") >= 5);
        Assert.True(after.Sum("tsdb_buffer_size_bytes") > 0);
        Assert.True(after.Sum("tsdb_catalog_databases") >= 1);
        Assert.True(after.Sum("tsdb_catalog_tables") >= 1);
        Assert.True(after.Sum("tsdb_object_store_operations_total") >= 1);   // the catalog's own writes
        Assert.True(after.Sum("process_cpu_seconds_total") > 0);
        Assert.True(after.Sum("process_resident_memory_bytes") > 0);
        Assert.True(after.Has("dotnet_gc_collections_total") || after.Has("dotnet_gc_heap_total_allocated_bytes_total"));
        Assert.True(after.Has("http_server_request_duration_seconds_count"));

        // Persist and compaction runs show with their durations.
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync("/api/v3/persist", null)).StatusCode);
        var persisted = await ScrapeAsync(Http);
        Assert.True(persisted.Sum("tsdb_storage_runs_total", "job=persist", "outcome=ok") >= 1);
        Assert.True(persisted.Sum("tsdb_storage_run_duration_seconds_count", "job=persist") >= 1);
        Assert.True(persisted.Sum("tsdb_persist_rows_total") >= 5);
        Assert.True(persisted.Sum("tsdb_catalog_files") >= 1);
        Assert.True(persisted.Sum("tsdb_object_store_transferred_bytes_total", "direction=write") > 0);
    }

    [Fact]
    public async Task Metrics_count_flight_doput_and_doget_and_prometheus_remote_write()
    {
        var before = await ScrapeAsync(Http);

        // DoPut with Apache Arrow's Flight client: one batch of two rows.
        using (var channel = Grpc.Net.Client.GrpcChannel.ForAddress(Server.Url, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() }))
        {
            var flight = new Apache.Arrow.Flight.Client.FlightClient(channel);
            var schema = new Apache.Arrow.Schema.Builder()
                .Field(f => f.Name("time").DataType(new Apache.Arrow.Types.TimestampType(Apache.Arrow.Types.TimeUnit.Nanosecond, (string?)null)).Nullable(false))
                .Field(f => f.Name("v").DataType(Apache.Arrow.Types.DoubleType.Default))
                .Build();
            var times = new Apache.Arrow.TimestampArray(
                new Apache.Arrow.Types.TimestampType(Apache.Arrow.Types.TimeUnit.Nanosecond, (string?)null),
                new Apache.Arrow.ArrowBuffer.Builder<long>().Append(1).Append(2).Build(), Apache.Arrow.ArrowBuffer.Empty, 2, 0, 0);
            var batch = new Apache.Arrow.RecordBatch(schema, [times, new Apache.Arrow.DoubleArray.Builder().Append(1).Append(2).Build()], 2);
            var auth = new Grpc.Core.Metadata { { "authorization", "Bearer " + Server.AdminToken } };
            using var put = flight.StartPut(Apache.Arrow.Flight.FlightDescriptor.CreatePathDescriptor("obs_f", "put"), auth);
            await put.RequestStream.WriteAsync(batch);
            await put.RequestStream.CompleteAsync();
            while (await put.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }

        // DoGet through the official InfluxDB 3 client (SQL over Flight).
        using (var client = new InfluxDB3.Client.InfluxDBClient(new InfluxDB3.Client.Config.ClientConfig { Host = Server.Url.ToString(), Token = Server.AdminToken!, Database = "obs_f" }))
        {
            var rows = await client.Query("SELECT v FROM put").ToListAsync();
            Assert.Equal(2, rows.Count);
        }

        // Prometheus remote write 1.0 (the snappyjs + protobufjs encoder).
        var sent = RemoteWriteClient.Send(Server.Url, Server.AdminToken, RemoteWriteClient.Request("1",
            RemoteWriteClient.Series(new Dictionary<string, string> { ["__name__"] = "obs_up", ["job"] = "x" }, (1_700_000_000_000, 1), (1_700_000_015_000, 1))), db: "obs_rw");
        Assert.Equal(204, sent.Status);

        var after = await ScrapeAsync(Http);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Equal(1, Delta("tsdb_write_requests_total", "api=flight", "outcome=ok"));
        Assert.Equal(2, Delta("tsdb_write_lines_total", "api=flight"));
        Assert.Equal(1, Delta("tsdb_queries_total", "language=flight", "status=ok"));
        Assert.Equal(1, Delta("tsdb_write_requests_total", "api=remote_write", "outcome=ok"));
        Assert.Equal(2, Delta("tsdb_write_lines_total", "api=remote_write"));
        Assert.True(Delta("tsdb_write_request_bytes_total", "api=remote_write") > 0);
    }

    [Fact]
    public async Task One_version_everywhere_cli_ping_health_and_build_info()
    {
        var (exitCode, cliOutput) = WriteApiTests.RunCli("--version");
        Assert.Equal(0, exitCode);
        var cli = cliOutput.Trim();
        using var ping = await Http.GetAsync("/ping");
        var pingBody = await ping.Content.ReadAsStringAsync();
        Assert.True(ping.StatusCode == HttpStatusCode.OK, $"{ping.StatusCode}: {pingBody}\n{Server.Output}");
        var pingVersion = JsonDocument.Parse(pingBody).RootElement.GetProperty("version").GetString();
        using var health = await Http.GetAsync("/health");
        var metrics = await ScrapeAsync(Http);
        var buildInfo = Assert.Single(metrics.Samples, s => s.Name == "tsdb_build_info");
        Assert.Matches(@"^\d+\.\d+\.\d+", cli);
        Assert.Equal(cli, pingVersion);
        Assert.Equal(cli, health.Headers.GetValues("X-Influxdb-Version").Single());
        Assert.Equal(cli, buildInfo.Labels["version"]);
        Assert.Equal(1, buildInfo.Value);
    }

    [Fact]
    public async Task Probes_answer_without_a_token_and_unknown_routes_are_a_json_404_without_a_token()
    {
        using var anonymous = new HttpClient { BaseAddress = Server.Url };
        using var healthy = await anonymous.GetAsync("/-/healthy");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        using var ready = await anonymous.GetAsync("/-/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("Ready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/-/ready"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        foreach (var client in new[] { anonymous, Http })
        {
            using var missing = await client.GetAsync("/no/such/route?db=x");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/json", missing.Content.Headers.ContentType?.MediaType);
            Assert.Equal("not found: GET /no/such/route", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
            // "/" is the web UI's page (GET and HEAD only).
            using var root = await client.PostAsync("/", null);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, root.StatusCode);
        }
        // Routes that exist still need the token; metrics, health and ping too unless --disable-authz names them.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v3/configure/database")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/ping")).StatusCode);
    }

    [Fact]
    public async Task Disable_authz_opens_health_ping_and_metrics_and_nothing_else()
    {
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-authz-").FullName;
        try
        {
            await using var server = await TsdbProcess.StartAsync(Path.Combine(dir, "data"), "--disable-authz", "health,ping,metrics");
            using var anonymous = new HttpClient { BaseAddress = server.Url };
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ping")).StatusCode);
            using var metrics = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("tsdb_build_info", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v3/write_lp?db=x", Lines("a v=1"))).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v3/query_sql?db=x&q=SELECT%201")).StatusCode);

            var (exitCode, output) = WriteApiTests.RunCli("serve", "--data-dir", Path.Combine(dir, "other"), "--http-bind", "127.0.0.1:0", "--disable-authz", "health,write");
            Assert.Equal(2, exitCode);
            Assert.Contains("--disable-authz takes health, ping and metrics, got 'write'", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Responses_are_compressed_when_asked_and_decode_to_the_same_bytes(string encoding)
    {
        var db = "obs_z_" + encoding;
        var lines = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            lines.Append(CultureInvariant($"m,host=h{i % 20} v={i},w={i * 0.5} {1_000_000_000L + i}\n"));
        }
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostAsync($"/api/v3/write_lp?db={db}", Lines(lines.ToString()))).StatusCode);
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var raw = new HttpClient(handler) { BaseAddress = Server.Url };
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Server.AdminToken);
        foreach (var path in new[]
        {
            $"/api/v3/query_sql?db={db}&q=SELECT%20*%20FROM%20m%20ORDER%20BY%20time&format=json",
            $"/api/v3/query_sql?db={db}&q=SELECT%20*%20FROM%20m%20ORDER%20BY%20time&format=jsonl",
            $"/api/v3/query_sql?db={db}&q=SELECT%20*%20FROM%20m%20ORDER%20BY%20time&format=csv",
            $"/api/v1/query_range?db={db}&query=m_v&start=1000000000&end=1000003000&step=10",
            $"/query?db={db}&q=SELECT%20*%20FROM%20m&chunked=true&chunk_size=500",
            "/metrics",
        })
        {
            using var plain = await raw.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
            Assert.Empty(plain.Content.Headers.ContentEncoding);
            var expected = await plain.Content.ReadAsByteArrayAsync();

            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.ParseAdd(encoding);
            using var compressed = await raw.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
            var body = await compressed.Content.ReadAsByteArrayAsync();
            if (path == "/metrics")
            {
                // The exporter compresses gzip itself and leaves other encodings to the middleware.
                Assert.Equal(encoding, Assert.Single(compressed.Content.Headers.ContentEncoding));
                Assert.Contains("tsdb_build_info", Encoding.UTF8.GetString(Decode(encoding, body)), StringComparison.Ordinal);
                continue;
            }
            Assert.True(expected.Length > 20_000, $"{path}: {expected.Length} bytes is not a large answer");
            Assert.Equal(encoding, Assert.Single(compressed.Content.Headers.ContentEncoding));
            Assert.True(expected.Length > 20_000, $"{path}: {expected.Length} bytes is not a large answer");
            Assert.True(body.Length * 3 < expected.Length, $"{path}: {body.Length} compressed bytes for {expected.Length}");
            Assert.Equal(expected, Decode(encoding, body));
        }

        // Answers of a few kilobytes go out whole, with their length, and uncompressed (SmallAnswerBody).
        foreach (var path in new[]
        {
            "/ping",
            $"/api/v3/query_sql?db={db}&q=SELECT%20*%20FROM%20m%20ORDER%20BY%20time%20LIMIT%2050&format=json",
            $"/query?db={db}&q=SELECT%20*%20FROM%20m%20LIMIT%2050",
            $"/api/v1/query?db={db}&query=m_v&time=1000003000",
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.ParseAdd(encoding);
            using var small = await raw.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, small.StatusCode);
            Assert.Empty(small.Content.Headers.ContentEncoding);
            var body = await small.Content.ReadAsByteArrayAsync();
            Assert.InRange(body.Length, 50, 8191);
            Assert.DoesNotContain("[]", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
            Assert.Equal(body.Length, small.Content.Headers.ContentLength);
            Assert.False(small.Headers.TransferEncodingChunked ?? false, path);
        }
    }

    [Fact]
    public async Task Each_request_logs_one_line_without_the_token()
    {
        var token = Server.AdminToken!;
        using var anonymous = new HttpClient { BaseAddress = Server.Url };
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.PostAsync($"/write?db=obs_log&u=me&p={token}", Lines("a v=1 1"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/obs-log-missing")).StatusCode);
        string? writeLine = null;
        for (var i = 0; i < 50 && writeLine is null; i++)
        {
            writeLine = Server.Output.Split('\n').FirstOrDefault(l => l.Contains("POST /write ", StringComparison.Ordinal) && l.Contains("db=obs_log", StringComparison.Ordinal));
            await Task.Delay(100);
        }
        Assert.NotNull(writeLine);
        Assert.Matches(RequestLine(), writeLine);
        Assert.Contains("status=204", writeLine, StringComparison.Ordinal);
        Assert.Contains("bytes_in=7", writeLine, StringComparison.Ordinal);
        Assert.Contains(Server.Output.Split('\n'), l => l.Contains("GET /obs-log-missing status=404", StringComparison.Ordinal));
        Assert.DoesNotContain(token, Server.Output.Replace($"admin token (shown once, only its hash is stored): {token}", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_log_format_writes_one_object_per_request_and_log_level_warn_writes_none()
    {
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-jsonlog-").FullName;
        try
        {
            await using var server = await TsdbProcess.StartAsync(Path.Combine(dir, "data"), "--log-format", "json");
            Assert.NotNull(server.AdminToken);
            using var http = server.Client();
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=j", Lines("a v=1 1"))).StatusCode);
            JsonElement? entry = null;
            for (var i = 0; i < 50 && entry is null; i++)
            {
                foreach (var line in server.Output.Split('\n').Where(l => l.StartsWith('{')))
                {
                    var json = JsonDocument.Parse(line).RootElement;
                    if (json.GetProperty("Category").GetString() == "tsdb.http" && json.GetProperty("State").GetProperty("path").GetString() == "/api/v3/write_lp")
                    {
                        entry = json;
                    }
                }
                await Task.Delay(100);
            }
            Assert.NotNull(entry);
            var state = entry.Value.GetProperty("State");
            Assert.Equal("POST", state.GetProperty("method").GetString());
            Assert.Equal("j", state.GetProperty("database").GetString());
            Assert.Equal("204", state.GetProperty("status").ToString());
            Assert.Equal("Information", entry.Value.GetProperty("LogLevel").GetString());
            Assert.True(entry.Value.TryGetProperty("Timestamp", out _));

            // Every line on standard output is one object, the server's own start-up lines and token banner too.
            var lines = server.StandardOutput.Where(l => l.Length > 0).ToList();
            Assert.All(lines, l => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(l).RootElement.ValueKind));
            var messages = lines.Select(l => JsonDocument.Parse(l).RootElement)
                .Where(j => j.GetProperty("Category").GetString() == "tsdb.server").Select(j => j.GetProperty("Message").GetString()!).ToList();
            Assert.Contains(messages, m => m.StartsWith("listening on http://127.0.0.1:", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.StartsWith("data directory:", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("admin token (shown once", StringComparison.Ordinal) && m.EndsWith(server.AdminToken, StringComparison.Ordinal));

            await using (var quiet = await TsdbProcess.StartAsync(Path.Combine(dir, "quiet"), "--log-level", "warn", "--without-auth"))
            {
                using var quietHttp = quiet.Client();
                Assert.Equal(HttpStatusCode.NoContent, (await quietHttp.PostAsync("/api/v3/write_lp?db=q", Lines("a v=1 1"))).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await quietHttp.GetAsync("/quiet-missing")).StatusCode);
                await Task.Delay(500);
                Assert.DoesNotContain("tsdb.http", quiet.Output, StringComparison.Ordinal);
            }

            var (exitCode, output) = WriteApiTests.RunCli("serve", "--data-dir", Path.Combine(dir, "other"), "--http-bind", "127.0.0.1:0", "--log-format", "xml");
            Assert.Equal(2, exitCode);
            Assert.Contains("--log-format must be text or json", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Ctrl_c_stops_gracefully_within_seconds_and_acknowledged_writes_survive()
    {
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-sigint-").FullName;
        try
        {
            var data = Path.Combine(dir, "data");
            await using (var server = await TsdbProcess.StartAsync(data, "--without-auth"))
            {
                using var http = server.Client();
                for (var i = 0; i < 20; i++)
                {
                    Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=s", Lines(CultureInvariant($"t v={i} {i + 1}")))).StatusCode);
                }
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                server.Interrupt();
                var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
                Assert.Equal(0, exitCode);
                Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"shutdown took {stopwatch.Elapsed}");
                Assert.Contains("shutting down", server.Output, StringComparison.Ordinal);
                Assert.Contains("WAL closed", server.Output, StringComparison.Ordinal);
            }
            await using (var again = await TsdbProcess.StartAsync(data, "--without-auth"))
            {
                using var http = again.Client();
                Assert.Equal(20, (await Export.RowsAsync(http, "s", "t")).Count);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_ctrl_c_exits_at_once_while_the_first_waits_for_a_request_in_flight()
    {
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-sigint2-").FullName;
        try
        {
            await using var server = await TsdbProcess.StartAsync(Path.Combine(dir, "data"), "--without-auth");
            // A write whose body never ends keeps the graceful stop waiting (up to its 3 s limit).
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(server.Url.Host, server.Url.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /api/v3/write_lp?db=x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\na v=1"));
            await stream.FlushAsync();
            await Task.Delay(300);

            server.Interrupt();
            // The second signal only once the first was handled: two sent together may arrive as one.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!server.Output.Contains("shutting down", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }
            server.Interrupt();
            var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
            Assert.True(exitCode == 130, $"exit code {exitCode}\n{server.Output}");
            Assert.Contains("second interrupt", server.Output, StringComparison.Ordinal);
            // At once, not after the graceful stop: it never got as far as closing the WAL (a stopwatch said the same
            // less reliably on a loaded machine).
            Assert.DoesNotContain("WAL closed", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_metrics_and_queries_them()
    {
        var (port, directory) = PrometheusServer.Prepare();
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostAsync("/api/v3/write_lp?db=obs_p", Lines("a v=1 1"))).StatusCode);
        var config = $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: tsdb
                metrics_path: /metrics
                authorization:
                  credentials: {Server.AdminToken}
                static_configs:
                  - targets: ['{Server.Url.Authority}']
            """;
        using var prometheus = PrometheusServer.Start(port, directory, config);
        using var client = new HttpClient { BaseAddress = prometheus.Url };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string up = "", writes = "", fsync = "";
        while (DateTime.UtcNow < deadline)
        {
            up = await client.GetStringAsync("/api/v1/query?query=up%7Bjob%3D%22tsdb%22%7D");
            writes = await client.GetStringAsync("/api/v1/query?query=sum(tsdb_write_requests_total%7Bapi%3D%22v3%22%7D)");
            fsync = await client.GetStringAsync("/api/v1/query?query=histogram_quantile(0.5%2Csum%20by(le)(tsdb_wal_fsync_duration_seconds_bucket))");
            if (Value(up) == 1 && Value(writes) >= 1 && Value(fsync) >= 0)
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.True(Value(up) == 1, $"up: {up}\ntargets: {await client.GetStringAsync("/api/v1/targets")}\n{prometheus.Output}");
        Assert.True(Value(writes) >= 1, writes);
        Assert.True(Value(fsync) >= 0, fsync);
    }

    /// <summary>The single value of an instant-vector answer, or NaN when it has none.</summary>
    private static double Value(string prometheusAnswer)
    {
        var result = JsonDocument.Parse(prometheusAnswer).RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 1
            ? double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : double.NaN;
    }

    private static byte[] Decode(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "gzip" ? new GZipStream(input, CompressionMode.Decompress) : new BrotliStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static async Task<Scrape> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return Scrape.Parse(await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: tsdb\.http\[1\] POST /write status=204 duration_ms=[\d.]+ db=obs_log bytes_in=\d+ bytes_out=\d+$")]
    private static partial Regex RequestLine();

    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>
    /// A strict reader of the Prometheus text format (0.0.4): every sample line must parse, every sample must belong
    /// to a family announced by a # TYPE line, and no series may appear twice.
    /// </summary>
    internal sealed partial class Scrape
    {
        private static readonly string[] MetricTypes = ["counter", "gauge", "histogram", "summary", "untyped"];

        public List<Sample> Samples { get; } = [];

        public bool Has(string name) => Samples.Any(s => s.Name == name);

        /// <summary>Sum of the samples named <paramref name="name"/> whose labels include every "key=value" given.</summary>
        public double Sum(string name, params string[] labels) => Samples
            .Where(s => s.Name == name && labels.All(l => l.Split('=', 2) is var kv && s.Labels.TryGetValue(kv[0], out var v) && v == kv[1]))
            .Sum(s => s.Value);

        public static Scrape Parse(string text)
        {
            var scrape = new Scrape();
            var types = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line.StartsWith("# HELP ", StringComparison.Ordinal))
                {
                    continue;
                }
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ');
                    Assert.Contains(parts[3], MetricTypes);
                    types[parts[2]] = parts[3];
                    continue;
                }
                Assert.False(line.StartsWith('#'), $"unexpected comment: {line}");
                var m = SampleLine().Match(line);
                Assert.True(m.Success, $"not a sample line: {line}");
                var name = m.Groups["name"].Value;
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
                {
                    labels[l.Groups[1].Value] = l.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                }
                var family = types.Keys.FirstOrDefault(f => name == f || name == f + "_bucket" || name == f + "_sum" || name == f + "_count" || name == f + "_total");
                Assert.True(family is not null, $"sample without a # TYPE: {line}");
                Assert.True(seen.Add(name + "{" + string.Join(",", labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)) + "}"), $"series twice: {line}");
                var value = m.Groups["value"].Value switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    "NaN" => double.NaN,
                    var v => double.Parse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture),
                };
                scrape.Samples.Add(new Sample(name, labels, value));
            }
            Assert.NotEmpty(scrape.Samples);
            return scrape;
        }

        [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*)\})? (?<value>\S+)( -?\d+)?$")]
        private static partial Regex SampleLine();

        [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
        private static partial Regex LabelPair();
    }
}
