using System.Net;
using System.Text;
using System.Text.Json;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Row deletes on a running server with authentication: SQL's DELETE through /api/v3/query_sql (read and delete rights
/// on the database), InfluxDB 2's /api/v2/delete driven by the real InfluxDB 2 client, and a delete that survives
/// kill -9 — buffered and persisted rows alike.
/// </summary>
public sealed class RowDeleteTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-delete-").FullName;
    private TsdbProcess _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TsdbProcess.StartAsync(Path.Combine(_dir, "data"));
        _http = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task Ok(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
    }

    private static async Task Write(HttpClient http, string db, string lines) =>
        await Ok(await http.PostAsync(new Uri($"/api/v3/write_lp?db={db}&precision=ns", UriKind.Relative), new StringContent(lines, Encoding.UTF8, "text/plain")));

    private static Task<HttpResponseMessage> Sql(HttpClient http, string db, string q) =>
        http.PostAsync(new Uri("/api/v3/query_sql", UriKind.Relative), new StringContent(JsonSerializer.Serialize(new { db, q }), Encoding.UTF8, "application/json"));

    private static async Task<List<string>> Rows(HttpClient http, string db, string q)
    {
        using var response = await Sql(http, db, q);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(r => string.Join('|', r.EnumerateObject().Select(p => p.Value.ToString())))];
    }

    private async Task<string> Token(string permissions)
    {
        using var response = await _http.PostAsync(new Uri("/api/v3/configure/token", UriKind.Relative), new StringContent($$"""{"name":"t{{Guid.NewGuid():N}}","permissions":{{permissions}}}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task Sql_delete_removes_matching_rows_from_files_and_buffer_and_needs_delete_rights()
    {
        await Write(_http, "d1", "cpu,host=a u=1 1000\ncpu,host=b u=2 1000\ncpu,host=a u=3 2000");
        await Ok(await _http.PostAsync(new Uri("/api/v3/persist", UriKind.Relative), null));
        await Write(_http, "d1", "cpu,host=a u=4 3000\ncpu,host=b u=5 3000");

        using var reader = _server.Client(await Token("""["db:d1:read"]"""));
        using (var refused = await Sql(reader, "d1", "DELETE FROM cpu WHERE host = 'a'"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using var deleter = _server.Client(await Token("""["db:d1:read,delete"]"""));
        var answer = await Rows(deleter, "d1", "DELETE FROM cpu WHERE host = 'a' AND time <= 2500");
        Assert.Equal(["cpu|time in [-inf, 1970-01-01T00:00:00.000002500] AND host = 'a'"], answer);

        Assert.Equal(["b|1970-01-01T00:00:00.000001|2", "a|1970-01-01T00:00:00.000003|4", "b|1970-01-01T00:00:00.000003|5"],
            await Rows(_http, "d1", "SELECT host, time, u FROM cpu ORDER BY time, host"));

        // A point written after the delete stays, though it matches; compaction folds the delete into the files.
        await Write(_http, "d1", "cpu,host=a u=6 1000");
        await Ok(await _http.PostAsync(new Uri("/api/v3/persist", UriKind.Relative), null));
        await Ok(await _http.PostAsync(new Uri("/api/v3/compact", UriKind.Relative), null));
        Assert.Equal(["a|6", "b|2", "a|4", "b|5"], await Rows(_http, "d1", "SELECT host, u FROM cpu ORDER BY time, host"));

        // Errors come back in the API's dialect, with the position.
        using var bad = await Sql(_http, "d1", "DELETE FROM cpu WHERE host = 'a' OR u > 1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("line 1, column 23: DELETE supports only comparisons", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_influxdb_2_client_deletes_by_measurement_and_tag_within_start_and_stop()
    {
        await Write(_http, "d2", "m,host=a v=1 1000000000\nm,host=b v=2 1000000000\nm,host=a v=3 5000000000\nother,host=a v=9 1000000000");
        string url = _server.Url.ToString().TrimEnd('/');
        var result = NodeRunner.Run("clients/influxdb2-delete.mjs", url, _server.AdminToken!, "d2", "1970-01-01T00:00:00Z", "1970-01-01T00:00:02Z", "_measurement=\"m\" AND host=\"a\"").EnsureSuccess("influxdb-client-apis");
        Assert.True(JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("ok").GetBoolean(), result.StandardOutput);
        Assert.Equal(["b|2", "a|3"], await Rows(_http, "d2", "SELECT host, v FROM m ORDER BY time, host"));
        Assert.Equal(["a|9"], await Rows(_http, "d2", "SELECT host, v FROM other"));

        // Without _measurement every table with the tag is reached; OR is refused in InfluxDB 2's dialect.
        result = NodeRunner.Run("clients/influxdb2-delete.mjs", url, _server.AdminToken!, "d2", "1970-01-01T00:00:00Z", "1970-01-01T00:00:10Z", "host=\"a\"").EnsureSuccess("influxdb-client-apis");
        Assert.True(JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("ok").GetBoolean(), result.StandardOutput);
        Assert.Equal(["b|2"], await Rows(_http, "d2", "SELECT host, v FROM m"));
        Assert.Empty(await Rows(_http, "d2", "SELECT host, v FROM other"));
        result = NodeRunner.Run("clients/influxdb2-delete.mjs", url, _server.AdminToken!, "d2", "1970-01-01T00:00:00Z", "1970-01-01T00:00:10Z", "host=\"a\" OR host=\"b\"").EnsureSuccess("influxdb-client-apis");
        var refused = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.Equal(400, refused.GetProperty("status").GetInt32());
        Assert.Contains("OR is not supported", refused.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_acknowledged_delete_survives_kill_9()
    {
        await Write(_http, "d3", "cpu,host=a u=1 1000\ncpu,host=b u=2 1000");
        await Ok(await _http.PostAsync(new Uri("/api/v3/persist", UriKind.Relative), null));
        await Write(_http, "d3", "cpu,host=a u=3 2000\ncpu,host=b u=4 2000");
        await Rows(_http, "d3", "DELETE FROM cpu WHERE host = 'a'");
        var token = _server.AdminToken;
        _server.Kill();
        await _server.DisposeAsync();
        _server = await TsdbProcess.StartAsync(Path.Combine(_dir, "data"));
        _http.Dispose();
        _http = _server.Client(token);
        // The buffered rows come back from the WAL and the delete still applies to them, as to the file.
        Assert.Equal(["b|2", "b|4"], await Rows(_http, "d3", "SELECT host, u FROM cpu ORDER BY time"));
    }
}
