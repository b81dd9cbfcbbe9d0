using System.Net;
using System.Text.Json;
using Tsdb.Testing;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>Arrow Flight and Flight SQL against the real server, on the same port as its HTTP API.</summary>
public sealed class FlightTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tsdb-flight-" + Guid.NewGuid().ToString("N"));
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessTsdb.StartAsync(_dir);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void InfluxDB3_client_writes_and_queries_on_one_url()
    {
        var output = NodeRunner.Run("clients/influxdb3-query.mjs", _server.Url.ToString().TrimEnd('/'), _server.AdminToken!, "flightdb").EnsureSuccess("influxdb3-client query");
        using var doc = JsonDocument.Parse(output.StandardOutput);
        var root = doc.RootElement;

        // host = 'h1' AND n > -2: rows 1, 3, 5 (n = i - 2, usage = 1.5 i, ok = i % 3 == 0).
        var rows = root.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        for (var k = 0; k < rows.Length; k++)
        {
            var i = (2 * k) + 1;
            Assert.Equal((1_700_000_000_000L + (i * 1000L)).ToString(System.Globalization.CultureInfo.InvariantCulture), rows[k].GetProperty("time").GetString());
            Assert.Equal("h1", rows[k].GetProperty("host").GetString());
            Assert.Equal(i * 1.5, rows[k].GetProperty("usage").GetDouble());
            Assert.Equal(i - 2, rows[k].GetProperty("n").GetInt64());
            Assert.Equal(i % 3 == 0, rows[k].GetProperty("ok").GetBoolean());
            Assert.Equal($"note \"{i}\"", rows[k].GetProperty("note").GetString());
        }

        // usage >= 3 ORDER BY time LIMIT 2: rows 2 and 3; kinds from iox::column::type.
        var points = root.GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal(2, points.Length);
        Assert.Equal("host", Assert.Single(points[0].GetProperty("tags").EnumerateArray()).GetString());
        var fields = points[0].GetProperty("fields");
        Assert.Equal("float", fields.GetProperty("usage").GetString());
        Assert.Equal("integer", fields.GetProperty("n").GetString());
        Assert.Equal("boolean", fields.GetProperty("ok").GetString());
        Assert.Equal("string", fields.GetProperty("note").GetString());
        Assert.Equal(3.0, points[0].GetProperty("usage").GetDouble());
        Assert.Equal(0, points[0].GetProperty("n").GetInt64());
        Assert.Equal(4.5, points[1].GetProperty("usage").GetDouble());

        Assert.Equal("INVALID_ARGUMENT", root.GetProperty("badSql").GetProperty("code").GetString());
        Assert.Contains("SELEKT", root.GetProperty("badSql").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("NOT_FOUND", root.GetProperty("unknownDb").GetProperty("code").GetString());
        Assert.Contains("database not found: no_such_db", root.GetProperty("unknownDb").GetProperty("message").GetString(), StringComparison.Ordinal);
        // InfluxQL: mean(usage) of h0 (0, 3, 6) and h1 (1.5, 4.5, 7.5), stamped 0 (no time range), with iox::measurement.
        var influxql = root.GetProperty("influxql").EnumerateArray().ToArray();
        Assert.Equal(2, influxql.Length);
        Assert.Equal(["h0", "h1"], influxql.Select(r => r.GetProperty("host").GetString()));
        Assert.Equal([3.0, 4.5], influxql.Select(r => r.GetProperty("mean").GetDouble()));
        Assert.All(influxql, r => Assert.Equal("flightq", r.GetProperty("measurement").GetString()));
        Assert.Equal("INVALID_ARGUMENT", root.GetProperty("badInfluxql").GetProperty("code").GetString());
        Assert.Contains("error parsing query: found FROM, expected identifier", root.GetProperty("badInfluxql").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("UNAUTHENTICATED", root.GetProperty("noToken").GetProperty("code").GetString());
        Assert.Equal("PERMISSION_DENIED", root.GetProperty("wrongToken").GetProperty("code").GetString());
    }

    [Fact]
    public async Task FlightSql_call_sequences_of_jdbc_adbc_and_grafana_answer_correctly()
    {
        using (var http = _server.Client())
        {
            using var body = new StringContent(
                "cpu,host=a usage=1 1700000000000000000\ncpu,host=a usage=2 1700000001000000000\ncpu,host=a usage=3 1700000002000000000\n" +
                "cpu,host=b usage=10 1700000000000000000\ncpu,host=b usage=20 1700000001000000000\n");
            var write = await http.PostAsync(new Uri("/api/v3/write_lp?db=fsql", UriKind.Relative), body);
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        }
        var run = NodeRunner.Run("flight/flightsql.mjs", $"{_server.Url.Host}:{_server.Url.Port}", _server.AdminToken!, "fsql");
        Assert.True(run.ExitCode == 0, run.StandardError + run.StandardOutput);
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("handshakeBearer").GetBoolean());
        Assert.Equal([2.0, 3.0], root.GetProperty("prepared").GetProperty("usage").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("tsdb", root.GetProperty("sqlInfo").GetProperty("name").GetString());
        Assert.Equal("OK", root.GetProperty("health").GetString());
        Assert.Equal("cpu", Assert.Single(root.GetProperty("grafanaTables").EnumerateArray()).GetString());
        Assert.Equal(16, root.GetProperty("noToken").GetProperty("code").GetInt32());
        Assert.Equal(5, root.GetProperty("unknownDatabase").GetProperty("code").GetInt32());
        Assert.Equal(3, root.GetProperty("malformedCommand").GetProperty("code").GetInt32());
        Assert.StartsWith("the request holds a message that is not valid protobuf", root.GetProperty("malformedCommand").GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.Equal(1000, root.GetProperty("putAcks").EnumerateArray().Sum(e => e.GetInt32()));
        Assert.Equal(333, root.GetProperty("bulk").GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task A_query_over_its_memory_limit_is_resource_exhausted()
    {
        var dir = Path.Combine(_dir, "small");
        await using var small = await InProcessTsdb.StartAsync(dir, "--query-memory-limit", "1KiB");
        using (var http = small.Client())
        {
            var lines = string.Join('\n', Enumerable.Range(0, 500).Select(i => $"m,t=x{i % 7} v={i} {1_700_000_000_000_000_000L + i}"));
            using var body = new StringContent(lines);
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(new Uri("/api/v3/write_lp?db=lim", UriKind.Relative), body)).StatusCode);
        }
        // Sorting needs the whole answer in memory (a plain row query would stream and stay under the limit).
        var (status, message) = await DoGetStatusAsync(small, """{"database":"lim","sql_query":"SELECT * FROM m ORDER BY v"}""");
        Assert.Equal("8", status);
        Assert.StartsWith("the query exceeded its memory limit of 1 KiB: Sort", message, StringComparison.Ordinal);
    }

    /// <summary>A DoGet over HttpClient h2c (prior knowledge, on the HTTP port): the grpc-status and decoded grpc-message.</summary>
    private static async Task<(string? Status, string? Message)> DoGetStatusAsync(InProcessServer server, string ticketJson)
    {
        var ticket = System.Text.Encoding.UTF8.GetBytes(ticketJson);
        var message = new List<byte> { 0x0A };
        for (var v = (uint)ticket.Length; ; v >>= 7)
        {
            message.Add((byte)(v < 0x80 ? v : (v & 0x7F) | 0x80));
            if (v < 0x80)
            {
                break;
            }
        }
        message.AddRange(ticket);
        var framed = new byte[5 + message.Count];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Count);
        message.CopyTo(framed, 5);
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/arrow.flight.protocol.FlightService/DoGet")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(framed),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("authorization", "Bearer " + server.AdminToken);
        using var response = await client.SendAsync(request);
        _ = await response.Content.ReadAsByteArrayAsync();
        var headers = response.Headers.Contains("grpc-status") ? (System.Net.Http.Headers.HttpHeaders)response.Headers : response.TrailingHeaders;
        var status = headers.TryGetValues("grpc-status", out var s) ? s.First() : null;
        var text = headers.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.First()) : null;
        return (status, text);
    }
}
