using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tsdb.Testing;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>The write APIs of a running server, driven by real clients and by plain HTTP.</summary>
public sealed class WriteApiTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-").FullName;
    private InProcessServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "data"), "--max-http-request-size", "64KiB", "--max-tables-per-database", "5");
        _http = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static StringContent Lines(string text) => new(text, Encoding.UTF8, "text/plain");

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task InfluxDB_2_client_writes_gzipped_batches_and_sees_type_conflicts()
    {
        var result = NodeRunner.Run("clients/influxdb2-write.mjs", _server.Url.ToString().TrimEnd('/'), _server.AdminToken!, "clients2").EnsureSuccess("influxdb-client");
        var report = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.Equal(1000, report.GetProperty("written").GetInt32());
        Assert.Equal(400, report.GetProperty("conflict").GetProperty("status").GetInt32());
        Assert.Contains("invalid column type for column 'usage'", report.GetProperty("conflict").GetProperty("body").GetString(), StringComparison.Ordinal);

        var rows = await Export.RowsAsync(_http, "clients2", "v2client");
        Assert.Equal(1000, rows.Count);
        var row = rows.Single(r => r.GetProperty("count").GetInt64() == 7);
        Assert.Equal(1700000000000000007, row.GetProperty("time").GetInt64());
        Assert.Equal("h7", row.GetProperty("host").GetString());
        Assert.Equal(3.5, row.GetProperty("usage").GetDouble());
        Assert.Equal("n \"7\" \\ ok", row.GetProperty("note").GetString());
        Assert.False(row.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task InfluxDB_3_client_writes_through_v2_and_v3_no_sync_and_is_refused_without_a_token()
    {
        var result = NodeRunner.Run("clients/influxdb3-write.mjs", _server.Url.ToString().TrimEnd('/'), _server.AdminToken!, "clients3").EnsureSuccess("influxdb3-client");
        var report = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.Equal(502, report.GetProperty("written").GetInt32());
        Assert.Equal(400, report.GetProperty("refused").GetProperty("status").GetInt32());
        Assert.Equal(401, report.GetProperty("unauthorized").GetProperty("status").GetInt32());

        var rows = await Export.RowsAsync(_http, "clients3", "v3client");
        Assert.Equal(502, rows.Count);
        var noSync = rows.Single(r => r.GetProperty("n").GetInt64() == 9001);
        Assert.Equal(1700000101_000_000_000, noSync.GetProperty("time").GetInt64());
        Assert.Equal(2.5, noSync.GetProperty("usage").GetDouble());
        Assert.Equal(1700000000000499000, rows.Single(r => r.GetProperty("n").GetInt64() == 499).GetProperty("time").GetInt64());
    }

    [Fact]
    public async Task Partial_writes_keep_the_good_lines_and_list_the_bad_ones_in_each_dialect()
    {
        const string body = "p,host=a v=1 1\np,host=a v=\"s\" 2\np,host=a v=3 3\nnot line protocol\n";
        var v3 = await _http.PostAsync("/api/v3/write_lp?db=partial3", Lines(body));
        Assert.Equal(HttpStatusCode.BadRequest, v3.StatusCode);
        var json = await Json(v3);
        Assert.Equal("partial write of line protocol occurred", json.GetProperty("error").GetString());
        var data = json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([2, 4], data.Select(d => d.GetProperty("line_number").GetInt32()));
        Assert.Equal("p,host=a v=\"s\" 2", data[0].GetProperty("original_line").GetString());
        Assert.Equal("invalid column type for column 'v' in table 'p', expected iox::column_type::field::float, got iox::column_type::field::string", data[0].GetProperty("error_message").GetString());
        Assert.Equal(2, (await Export.RowsAsync(_http, "partial3", "p")).Count);

        var v1 = await _http.PostAsync("/write?db=partial1", Lines(body));
        Assert.Equal(HttpStatusCode.BadRequest, v1.StatusCode);
        Assert.Equal(2, (await Json(v1)).GetProperty("data").GetArrayLength());
        Assert.Equal(2, (await Export.RowsAsync(_http, "partial1", "p")).Count);

        var v2 = await _http.PostAsync("/api/v2/write?bucket=partial2&org=x", Lines(body));
        Assert.Equal(HttpStatusCode.BadRequest, v2.StatusCode);
        var v2json = await Json(v2);
        Assert.Equal("invalid", v2json.GetProperty("code").GetString());
        Assert.StartsWith("partial write of line protocol occurred: 2 line(s) rejected: line 2:", v2json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await Export.RowsAsync(_http, "partial2", "p")).Count);

        var whole = await _http.PostAsync("/api/v3/write_lp?db=whole&accept_partial=false", Lines(body));
        Assert.Equal(HttpStatusCode.BadRequest, whole.StatusCode);
        var wholeJson = await Json(whole);
        Assert.Equal("parsing failed for write_lp endpoint", wholeJson.GetProperty("error").GetString());
        Assert.Equal(2, wholeJson.GetProperty("data").GetProperty("line_number").GetInt32());
        Assert.Empty(await Export.RowsAsync(_http, "whole", "p"));
    }

    [Fact]
    public async Task Gzip_bodies_are_accepted_and_bad_encodings_refused()
    {
        var lines = string.Join('\n', Enumerable.Range(0, 2000).Select(i => $"gz,host=h{i % 3} v={i}i {i}"));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(lines));
        }
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsync("/api/v3/write_lp?db=gz&precision=ns", content)).StatusCode);
        Assert.Equal(2000, (await Export.RowsAsync(_http, "gz", "gz")).Count);

        var notGzip = new ByteArrayContent("gz v=1"u8.ToArray());
        notGzip.Headers.ContentEncoding.Add("gzip");
        var bad = await _http.PostAsync("/api/v3/write_lp?db=gz", notGzip);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith("the body is not valid gzip", (await Json(bad)).GetProperty("error").GetString(), StringComparison.Ordinal);

        var brotli = new ByteArrayContent("gz v=1"u8.ToArray());
        brotli.Headers.ContentEncoding.Add("br");
        Assert.Equal("unacceptable content-encoding: br", (await Json(await _http.PostAsync("/api/v3/write_lp?db=gz", brotli))).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Size_limit_is_checked_before_and_after_decompression()
    {
        var big = new string('#', 70 * 1024) + "\nbig v=1";
        var tooLarge = await _http.PostAsync("/api/v3/write_lp?db=big", Lines(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("max request size (65536 bytes) exceeded", (await Json(tooLarge)).GetProperty("error").GetString());

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(big));
        }
        Assert.True(compressed.Length < 65536);
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        var bomb = await _http.PostAsync("/api/v2/write?bucket=big", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.StatusCode);
        Assert.Equal("request too large", (await Json(bomb)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_refused_and_every_token_form_works()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Url };
        var missing = await anonymous.PostAsync("/api/v3/write_lp?db=auth", Lines("a v=1"));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("the request was not authenticated", (await Json(missing)).GetProperty("error").GetString());
        using var wrong = _server.Client("apiv3_not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsync("/api/v3/write_lp?db=auth", Lines("a v=1"))).StatusCode);
        var malformed = new HttpRequestMessage(HttpMethod.Post, "/api/v3/write_lp?db=auth") { Content = Lines("a v=1") };
        malformed.Headers.TryAddWithoutValidation("Authorization", "Bearer");
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.SendAsync(malformed)).StatusCode);

        var token = _server.AdminToken!;
        var viaToken = new HttpRequestMessage(HttpMethod.Post, "/api/v2/write?bucket=auth") { Content = Lines("a v=1 1") };
        viaToken.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.SendAsync(viaToken)).StatusCode);
        var viaBasic = new HttpRequestMessage(HttpMethod.Post, "/write?db=auth") { Content = Lines("a v=2 2") };
        viaBasic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + token)));
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.SendAsync(viaBasic)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.PostAsync($"/write?db=auth&u=x&p={token}", Lines("a v=3 3"))).StatusCode);
        Assert.Equal(3, (await Export.RowsAsync(_http, "auth", "a")).Count);

        // As in InfluxDB 3, health and ping need a token unless --disable-authz names them (ObservabilityTests);
        // Prometheus' probe routes never do.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/ping")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/-/healthy")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health")).StatusCode);
        var ping = await _http.GetAsync("/ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.True(ping.Headers.Contains("X-Influxdb-Version"));
    }

    [Fact]
    public async Task Authorization_schemes_are_case_insensitive_for_writes_and_queries()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Url };
        var token = _server.AdminToken!;
        var write = new HttpRequestMessage(HttpMethod.Post, "/api/v3/write_lp?db=lowercase") { Content = Lines("s v=1 1\ns v=2 2") };
        write.Headers.TryAddWithoutValidation("Authorization", "bearer " + token);
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.SendAsync(write)).StatusCode);
        var v1 = new HttpRequestMessage(HttpMethod.Post, "/write?db=lowercase") { Content = Lines("s v=3 3") };
        v1.Headers.TryAddWithoutValidation("Authorization", "basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + token)));
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.SendAsync(v1)).StatusCode);

        var query = new HttpRequestMessage(HttpMethod.Get, "/api/v3/query_sql?db=lowercase&q=SELECT%20count(*)%20AS%20n%20FROM%20s");
        query.Headers.TryAddWithoutValidation("Authorization", "TOKEN " + token);
        var answer = await anonymous.SendAsync(query);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(3, (await Json(answer))[0].GetProperty("n").GetInt64());

        var unknown = new HttpRequestMessage(HttpMethod.Post, "/api/v3/write_lp?db=lowercase") { Content = Lines("s v=4 4") };
        unknown.Headers.TryAddWithoutValidation("Authorization", "bearers " + token);
        var refused = await anonymous.SendAsync(unknown);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Authorization header was malformed: use 'Bearer <token>', 'Token <token>' or Basic with the token as password", (await Json(refused)).GetProperty("error").GetString());
        Assert.Equal(3, (await Export.RowsAsync(_http, "lowercase", "s")).Count);
    }

    [Fact]
    public async Task A_repeated_field_refuses_its_line_and_the_other_lines_are_written()
    {
        const string body = "ok x=1 1\nok x=1,y=2,x=2 2\nok x=3 3\n";
        var v3 = await _http.PostAsync("/api/v3/write_lp?db=repeats&precision=ns", Lines(body));
        Assert.Equal(HttpStatusCode.BadRequest, v3.StatusCode);
        var json = await Json(v3);
        Assert.Equal("partial write of line protocol occurred", json.GetProperty("error").GetString());
        var item = Assert.Single(json.GetProperty("data").EnumerateArray());
        Assert.Equal(2, item.GetProperty("line_number").GetInt32());
        Assert.Equal("ok x=1,y=2,x=2 2", item.GetProperty("original_line").GetString());
        Assert.Equal("multiple instances of 'x' field found", item.GetProperty("error_message").GetString());
        Assert.Equal([1L, 3L], (await Export.RowsAsync(_http, "repeats", "ok")).Select(r => r.GetProperty("time").GetInt64()));

        var v2 = await _http.PostAsync("/api/v2/write?bucket=repeats2", Lines(body));
        Assert.Equal(HttpStatusCode.BadRequest, v2.StatusCode);
        Assert.Equal("partial write of line protocol occurred: 1 line(s) rejected: line 2: multiple instances of 'x' field found (ok x=1,y=2,x=2 2)", (await Json(v2)).GetProperty("message").GetString());
        Assert.Equal(2, (await Export.RowsAsync(_http, "repeats2", "ok")).Count);
    }

    [Fact]
    public async Task Configure_endpoints_name_a_missing_database_or_table()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsync("/api/v3/write_lp?db=keep", Lines("t v=1 1"))).StatusCode);
        const string dbInQuery = "missing required query parameter 'db' (the database name goes in the query string: ?db=NAME)";
        const string tableDbInQuery = "missing required query parameter 'db' (the names go in the query string: ?db=NAME&table=NAME)";
        const string tableInQuery = "missing required query parameter 'table' (the names go in the query string: ?db=NAME&table=NAME)";
        foreach (var (request, message) in new (HttpRequestMessage, string)[]
        {
            (new(HttpMethod.Delete, "/api/v3/configure/database"), dbInQuery),
            (new(HttpMethod.Delete, "/api/v3/configure/database?db="), dbInQuery),
            (new(HttpMethod.Delete, "/api/v3/configure/database") { Content = new StringContent("{\"db\":\"keep\"}", Encoding.UTF8, "application/json") }, dbInQuery),
            (new(HttpMethod.Delete, "/api/v3/configure/table"), tableDbInQuery),
            (new(HttpMethod.Delete, "/api/v3/configure/table?table=t"), tableDbInQuery),
            (new(HttpMethod.Delete, "/api/v3/configure/table?db=keep"), tableInQuery),
            (new(HttpMethod.Delete, "/api/v3/configure/table?db=keep&table="), tableInQuery),
            (new(HttpMethod.Delete, "/api/v3/configure/table") { Content = new StringContent("{\"db\":\"keep\",\"table\":\"t\"}", Encoding.UTF8, "application/json") }, tableDbInQuery),
            (new(HttpMethod.Post, "/api/v3/configure/database") { Content = new StringContent("{\"db\":\"\"}", Encoding.UTF8, "application/json") }, "the body must be JSON with a \"db\" name"),
            (new(HttpMethod.Post, "/api/v3/configure/database") { Content = new StringContent("{}", Encoding.UTF8, "application/json") }, "the body must be JSON with a \"db\" name"),
            (new(HttpMethod.Patch, "/api/v3/configure/database") { Content = new StringContent("{\"db\":\"\",\"retention_period\":\"1d\"}", Encoding.UTF8, "application/json") }, "the body must be JSON with a \"db\" name"),
        })
        {
            var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(message, (await Json(response)).GetProperty("error").GetString());
        }
        Assert.Single(await Export.RowsAsync(_http, "keep", "t"));
    }

    [Fact]
    public async Task Limits_names_and_parameters_get_clear_errors()
    {
        var tables = string.Join('\n', Enumerable.Range(0, 7).Select(i => $"t{i} v=1 1"));
        var limited = await _http.PostAsync("/api/v3/write_lp?db=limits", Lines(tables));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, limited.StatusCode);
        var data = (await Json(limited)).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([6, 7], data.Select(d => d.GetProperty("line_number").GetInt32()));
        Assert.Equal("table limit reached: database 'limits' already has 5 tables, cannot create table 't5'", data[0].GetProperty("error_message").GetString());

        var badName = await _http.PostAsync("/api/v3/write_lp?db=no%20spaces", Lines("a v=1"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.StartsWith("invalid database name 'no spaces'", (await Json(badName)).GetProperty("error").GetString(), StringComparison.Ordinal);

        var badPrecision = await _http.PostAsync("/api/v3/write_lp?db=x&precision=fortnight", Lines("a v=1"));
        Assert.Equal(HttpStatusCode.BadRequest, badPrecision.StatusCode);
        Assert.StartsWith("invalid precision 'fortnight'", (await Json(badPrecision)).GetProperty("error").GetString(), StringComparison.Ordinal);

        var noDb = await _http.PostAsync("/api/v3/write_lp", Lines("a v=1"));
        Assert.Equal("missing required query parameter 'db'", (await Json(noDb)).GetProperty("error").GetString());

        var empty = await _http.PostAsync("/api/v3/write_lp?db=x", Lines(""));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task Tokens_made_with_the_cli_work_and_non_admin_tokens_cannot_make_more()
    {
        var cli = RunCli("token", "create", "--host", _server.Url.ToString(), "--token", _server.AdminToken!, "--name", "writer", "--permission", "db:tokens:write");
        Assert.Equal(0, cli.ExitCode);
        var token = System.Text.RegularExpressions.Regex.Match(cli.Output, @"apiv3_\S+").Value;
        using var writer = _server.Client(token);
        Assert.Equal(HttpStatusCode.NoContent, (await writer.PostAsync("/api/v3/write_lp?db=tokens", Lines("a v=1"))).StatusCode);
        var forbidden = await writer.PostAsync("/api/v3/configure/token", new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        // A write token cannot drop what it writes to (the issue's "writer can delete databases and tables").
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.DeleteAsync("/api/v3/configure/table?db=tokens&table=a")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.DeleteAsync("/api/v3/configure/database?db=tokens")).StatusCode);
        var refused = RunCli("token", "create", "--host", _server.Url.ToString(), "--token", "apiv3_bogus", "--name", "y", "--permission", "db:tokens:read");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("401", refused.Output, StringComparison.Ordinal);
    }

    internal static (int ExitCode, string Output) RunCli(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(TsdbProcess.TsdbDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
