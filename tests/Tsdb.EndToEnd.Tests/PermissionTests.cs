using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Apache.Arrow.Types;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The permission matrix against a real server: every HTTP endpoint family (v1/v2/v3 writes, SQL and InfluxQL
/// queries, the Prometheus API with remote write, export, table and database deletes, configuration and tokens) and
/// Flight (DoGet, GetFlightInfo with Flight SQL, DoPut, ListFlights, prepared statements) with tokens scoped to one
/// database: 401 without or with an unknown or expired token, 403 beyond the grant, each in the API's own dialect.
/// </summary>
public sealed class PermissionTests(PermissionTests.Fixture fixture) : IClassFixture<PermissionTests.Fixture>
{
    /// <summary>One server for the class, with databases alpha and beta and tokens scoped to alpha.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-permissions-").FullName;

        internal InProcessServer Server { get; private set; } = null!;

        internal HttpClient Http { get; private set; } = null!;

        /// <summary>Tokens by role: reader/writer/deleter of 'alpha', and the admin.</summary>
        internal Dictionary<string, string> Tokens { get; } = [];

        public async Task InitializeAsync()
        {
            Server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "data"));
            Http = Server.Client();
            foreach (var db in new[] { "alpha", "beta" })
            {
                using var write = await Http.PostAsync(new Uri($"/api/v3/write_lp?db={db}", UriKind.Relative), new StringContent("cpu,host=a usage=1 1700000000000000000\nup,job=x value=1 1700000000000000000\n"));
                Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
            }
            Tokens["admin"] = Server.AdminToken!;
            foreach (var (name, actions) in new[] { ("reader", "read"), ("writer", "write"), ("deleter", "delete") })
            {
                Tokens[name] = await CreateTokenAsync(Http, $$"""{"name":"{{name}}","permissions":["db:alpha:{{actions}}"]}""");
            }
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Server.DisposeAsync();
            Directory.Delete(_dir, recursive: true);
        }
    }

    private InProcessServer Server => fixture.Server;

    private HttpClient Http => fixture.Http;

    private Task<Dictionary<string, string>> TokensAsync() => Task.FromResult(fixture.Tokens);

    private Task<string> CreateTokenAsync(string json) => CreateTokenAsync(Http, json);

    private static async Task<string> CreateTokenAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync(new Uri("/api/v3/configure/token", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("token").GetString()!;
    }

    public enum Dialect
    {
        V3,
        V2,
        Prometheus,
    }

    /// <summary>method, path, body, content type, the role allowed besides admin ("admin": only admin; "any": every valid token), dialect.</summary>
    public static TheoryData<string, string, string?, string?, string, Dialect> Endpoints => new()
    {
        { "POST", "/api/v3/write_lp?db=alpha", "cpu usage=2 1700000000000000001", "text/plain", "writer", Dialect.V3 },
        { "POST", "/write?db=alpha", "cpu usage=2 1700000000000000002", "text/plain", "writer", Dialect.V3 },
        { "POST", "/api/v2/write?bucket=alpha", "cpu usage=2 1700000000000000003", "text/plain", "writer", Dialect.V2 },
        { "POST", "/api/v1/write?db=alpha", "not protobuf", "application/x-protobuf", "writer", Dialect.Prometheus },
        { "GET", "/api/v3/query_sql?db=alpha&q=SELECT%20count(*)%20FROM%20cpu", null, null, "reader", Dialect.V3 },
        { "POST", "/api/v3/query_sql", """{"db":"alpha","q":"SELECT count(*) FROM cpu"}""", "application/json", "reader", Dialect.V3 },
        { "GET", "/api/v3/query_influxql?db=alpha&q=SELECT%20*%20FROM%20cpu", null, null, "reader", Dialect.V3 },
        { "POST", "/api/v3/query_influxql", """{"db":"alpha","q":"SHOW MEASUREMENTS"}""", "application/json", "reader", Dialect.V3 },
        { "GET", "/query?db=alpha&q=SELECT%20*%20FROM%20cpu", null, null, "reader", Dialect.V3 },
        { "POST", "/query", "db=alpha&q=SHOW%20TAG%20KEYS", "application/x-www-form-urlencoded", "reader", Dialect.V3 },
        { "GET", "/api/v3/export?db=alpha&table=cpu", null, null, "reader", Dialect.V3 },
        { "GET", "/api/v1/query?db=alpha&query=up&time=1700000000", null, null, "reader", Dialect.Prometheus },
        { "POST", "/api/v1/query", "db=alpha&query=up&time=1700000000", "application/x-www-form-urlencoded", "reader", Dialect.Prometheus },
        { "GET", "/api/v1/query_range?db=alpha&query=up&start=1700000000&end=1700000060&step=15", null, null, "reader", Dialect.Prometheus },
        { "GET", "/api/v1/series?db=alpha&match[]=up", null, null, "reader", Dialect.Prometheus },
        { "GET", "/api/v1/labels?db=alpha", null, null, "reader", Dialect.Prometheus },
        { "GET", "/api/v1/label/job/values?db=alpha", null, null, "reader", Dialect.Prometheus },
        { "GET", "/api/v1/metadata?db=alpha", null, null, "reader", Dialect.Prometheus },
        { "GET", "/api/v1/query_exemplars?db=alpha&query=up", null, null, "reader", Dialect.Prometheus },
        { "DELETE", "/api/v3/configure/table?db=alpha&table=no_such_table", null, null, "deleter", Dialect.V3 },
        { "POST", "/api/v2/delete?bucket=alpha&org=o", """{"start":"2000-01-01T00:00:00Z","stop":"2000-01-02T00:00:00Z","predicate":"_measurement=\"no_such_table\""}""", "application/json", "deleter", Dialect.V2 },
        { "GET", "/api/v3/configure/table?db=alpha", null, null, "reader", Dialect.V3 },
        { "POST", "/api/v3/configure/table", """{"db":"no_such_db","table":"t","retention_period":"1d"}""", "application/json", "admin", Dialect.V3 },
        { "PATCH", "/api/v3/configure/table", """{"db":"alpha","table":"no_such_table","retention_period":"1d"}""", "application/json", "admin", Dialect.V3 },
        { "POST", "/api/v3/configure/database", """{"db":"made_by_matrix"}""", "application/json", "admin", Dialect.V3 },
        { "PATCH", "/api/v3/configure/database", """{"db":"no_such_db","retention_period":"1d"}""", "application/json", "admin", Dialect.V3 },
        { "DELETE", "/api/v3/configure/database?db=no_such_db", null, null, "admin", Dialect.V3 },
        { "POST", "/api/v3/configure/token", """{"name":"made_by_matrix","permissions":["db:alpha:read"]}""", "application/json", "admin", Dialect.V3 },
        { "GET", "/api/v3/configure/token", null, null, "admin", Dialect.V3 },
        { "DELETE", "/api/v3/configure/token?token_name=no_such_token", null, null, "admin", Dialect.V3 },
        { "POST", "/api/v3/persist", null, null, "admin", Dialect.V3 },
        { "POST", "/api/v3/compact", null, null, "admin", Dialect.V3 },
        { "GET", "/api/v3/system/files", null, null, "admin", Dialect.V3 },
        { "GET", "/api/v3/configure/database", null, null, "any", Dialect.V3 },
        { "GET", "/api/v1/status/buildinfo", null, null, "any", Dialect.Prometheus },
        { "GET", "/api/v1/rules", null, null, "any", Dialect.Prometheus },
        { "GET", "/api/v1/format_query?query=up", null, null, "any", Dialect.Prometheus },
        { "GET", "/api/v1/status/runtimeinfo", null, null, "any", Dialect.Prometheus },
        { "GET", "/api/v1/status/flags", null, null, "any", Dialect.Prometheus },
        { "GET", "/api/v1/status/config", null, null, "any", Dialect.Prometheus },
        { "GET", "/api/v1/status/tsdb?db=alpha", null, null, "reader", Dialect.Prometheus },
        { "POST", "/api/v1/read?db=alpha", "not snappy", "application/x-protobuf", "reader", Dialect.Prometheus },
    };

    private static HttpRequestMessage Request(string method, string path, string? body, string? contentType, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return request;
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_endpoint_lets_in_the_role_it_needs_and_refuses_the_others_in_its_dialect(string method, string path, string? body, string? contentType, string allowed, Dialect dialect)
    {
        var tokens = await TokensAsync();
        using var client = new HttpClient { BaseAddress = Server.Url };

        using (var anonymous = await client.SendAsync(Request(method, path, body, contentType, null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            await AssertDialectAsync(anonymous, dialect, "unauthorized", "the request was not authenticated");
        }
        using (var unknown = await client.SendAsync(Request(method, path, body, contentType, "apiv3_unknown")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }
        foreach (var (role, token) in tokens)
        {
            using var response = await client.SendAsync(Request(method, path, body, contentType, token));
            var text = await response.Content.ReadAsStringAsync();
            if (role == "admin" || role == allowed || allowed == "any")
            {
                Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{role} on {method} {path}: {(int)response.StatusCode} {text}");
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role} on {method} {path}: {(int)response.StatusCode} {text}");
                // A token with the action on no database is refused before the endpoint runs ("has no read permission on any
                // database"); one with it elsewhere by the endpoint ("may not read database 'alpha'").
                var expected = allowed == "admin" ? $"this needs an admin token; token '{role}' is not one" : $"token '{role}' ";
                await AssertDialectAsync(response, dialect, "forbidden", expected);
            }
        }
    }

    private static async Task AssertDialectAsync(HttpResponseMessage response, Dialect dialect, string code, string messageStart)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        string message;
        switch (dialect)
        {
            case Dialect.Prometheus:
                Assert.Equal("error", root.GetProperty("status").GetString());
                Assert.Equal(code, root.GetProperty("errorType").GetString());
                message = root.GetProperty("error").GetString()!;
                break;
            case Dialect.V2:
                Assert.Equal(code, root.GetProperty("code").GetString());
                message = root.GetProperty("message").GetString()!;
                break;
            default:
                message = root.GetProperty("error").GetString()!;
                break;
        }
        Assert.StartsWith(messageStart, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scoped_token_does_its_work_on_its_database_and_nothing_on_another()
    {
        var tokens = await TokensAsync();
        using var writer = Server.Client(tokens["writer"]);
        using var reader = Server.Client(tokens["reader"]);
        Assert.Equal(HttpStatusCode.NoContent, (await writer.PostAsync(new Uri("/api/v3/write_lp?db=alpha", UriKind.Relative), new StringContent("w v=1 1"))).StatusCode);
        var otherDb = await writer.PostAsync(new Uri("/api/v3/write_lp?db=beta", UriKind.Relative), new StringContent("w v=1 1"));
        Assert.Equal(HttpStatusCode.Forbidden, otherDb.StatusCode);
        Assert.Equal("token 'writer' may not write database 'beta'", (await Json(otherDb)).GetProperty("error").GetString());

        var read = await reader.GetAsync(new Uri("/api/v3/query_sql?db=alpha&q=SELECT%20count(*)%20AS%20n%20FROM%20cpu", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var readOther = await reader.GetAsync(new Uri("/api/v3/query_sql?db=beta&q=SELECT%201", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, readOther.StatusCode);
        // Permission comes before existence: a token learns nothing about databases it may not read.
        var readMissing = await reader.GetAsync(new Uri("/api/v3/query_sql?db=no_such_db&q=SELECT%201", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, readMissing.StatusCode);

        // InfluxQL reaching another database through a db..measurement source, a subquery or SHOW ... ON.
        foreach (var q in new[] { "SELECT * FROM beta..cpu", "SELECT * FROM (SELECT * FROM beta..cpu)", "SHOW TAG KEYS ON beta" })
        {
            var response = await reader.GetAsync(new Uri($"/query?db=alpha&q={Uri.EscapeDataString(q)}", UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, q);
            Assert.Equal("token 'reader' may not read database 'beta'", (await Json(response)).GetProperty("error").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(new Uri("/query?db=alpha&q=SELECT%20*%20FROM%20alpha..cpu", UriKind.Relative))).StatusCode);

        // SHOW DATABASES over /query and /api/v3/query_influxql lists the databases the token may read (beta exists too).
        var show = await reader.GetAsync(new Uri("/query?q=SHOW%20DATABASES", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, show.StatusCode);
        var values = (await Json(show)).GetProperty("results")[0].GetProperty("series")[0].GetProperty("values");
        Assert.Equal(["alpha"], values.EnumerateArray().Select(v => v[0].GetString()));
        var showV3 = await reader.GetAsync(new Uri("/api/v3/query_influxql?db=alpha&q=SHOW%20DATABASES", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, showV3.StatusCode);
        Assert.Equal(["alpha"], (await Json(showV3)).EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        using var admin = Server.Client(tokens["admin"]);
        var showAdmin = await admin.GetAsync(new Uri("/api/v3/query_influxql?db=alpha&q=SHOW%20DATABASES", UriKind.Relative));
        Assert.Equal(["alpha", "beta"], (await Json(showAdmin)).EnumerateArray().Select(r => r.GetProperty("name").GetString()).Where(n => n is "alpha" or "beta"));

        // The default Prometheus database needs its own grant.
        var prom = await reader.GetAsync(new Uri("/api/v1/query?query=up", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, prom.StatusCode);
        Assert.Equal("token 'reader' may not read database 'prometheus'", (await Json(prom)).GetProperty("error").GetString());

        // Listing databases shows a scoped token only its own.
        var list = await reader.GetAsync(new Uri("/api/v3/configure/database", UriKind.Relative));
        Assert.Equal(["alpha"], (await Json(list)).EnumerateArray().Select(d => d.GetProperty("iox::database").GetString()));
    }

    [Fact]
    public async Task Unknown_paths_answer_404_and_wrong_methods_405_token_or_not()
    {
        var tokens = await TokensAsync();
        using var reader = Server.Client(tokens["reader"]);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(new Uri("/api/v3/no_such_endpoint", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await reader.GetAsync(new Uri("/api/v3/write_lp?db=alpha", UriKind.Relative))).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = Server.Url };
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri("/api/v3/no_such_endpoint", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await anonymous.GetAsync(new Uri("/api/v3/write_lp?db=alpha", UriKind.Relative))).StatusCode);
        // As InfluxDB 3: health and ping need a token unless --disable-authz names them; the probes never do.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/ping", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/-/healthy", UriKind.Relative))).StatusCode);

        // A gRPC content type does not take an HTTP route past its checks (it used to skip authentication entirely).
        using var sneaky = new StringContent("sneaky v=1 1");
        sneaky.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var write = await anonymous.PostAsync(new Uri("/api/v3/write_lp?db=alpha", UriKind.Relative), sneaky);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        using var sneakyRead = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v3/query_sql?db=alpha&q=SELECT%20*%20FROM%20cpu", UriKind.Relative)) { Content = new StringContent("") };
        sneakyRead.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(sneakyRead)).StatusCode);
    }

    [Fact]
    public async Task A_delete_token_drops_tables_of_its_database_but_not_the_database()
    {
        var tokens = await TokensAsync();
        using var admin = Server.Client();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(new Uri("/api/v3/write_lp?db=alpha", UriKind.Relative), new StringContent("dropme v=1 1"))).StatusCode);
        using var deleter = Server.Client(tokens["deleter"]);
        Assert.Equal(HttpStatusCode.OK, (await deleter.DeleteAsync(new Uri("/api/v3/configure/table?db=alpha&table=dropme", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await deleter.DeleteAsync(new Uri("/api/v3/configure/table?db=beta&table=cpu", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await deleter.DeleteAsync(new Uri("/api/v3/configure/database?db=alpha", UriKind.Relative))).StatusCode);
        using var writer = Server.Client(tokens["writer"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.DeleteAsync(new Uri("/api/v3/configure/table?db=alpha&table=cpu", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Tokens_are_listed_without_secrets_revoked_by_name_and_expire()
    {
        _ = await TokensAsync();
        var secret = await CreateTokenAsync("""{"name":"shortlived","permissions":["db:alpha:read"],"expiry_secs":1}""");
        var list = await Http.GetAsync(new Uri("/api/v3/configure/token", UriKind.Relative));
        var text = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain("apiv3_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sha", text, StringComparison.OrdinalIgnoreCase);
        using (var json = JsonDocument.Parse(text))
        {
            var reader = json.RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "reader");
            Assert.Equal(["db:alpha:read"], reader.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
            Assert.False(reader.GetProperty("admin").GetBoolean());
            Assert.Equal(JsonValueKind.Null, reader.GetProperty("expires_at").ValueKind);
            var shortlived = json.RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "shortlived");
            Assert.Equal(JsonValueKind.String, shortlived.GetProperty("expires_at").ValueKind);
            Assert.Equal(["_admin", "deleter"], json.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Where(n => n is "_admin" or "deleter").Order(StringComparer.Ordinal));
        }

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        using var expired = Server.Client(secret);
        var refused = await expired.GetAsync(new Uri("/api/v3/query_sql?db=alpha&q=SELECT%201", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("the token 'shortlived' expired at ", (await Json(refused)).GetProperty("error").GetString(), StringComparison.Ordinal);
        using var channel = Channel();
        var flight = await FlightCalls.DoGetErrorAsync(new FlightClient(channel), Ticket("alpha", "SELECT 1"), Auth(secret));
        Assert.Equal(StatusCode.Unauthenticated, flight.StatusCode);

        var revokable = await CreateTokenAsync("""{"name":"revokable","permissions":["db:alpha:read"]}""");
        using var before = Server.Client(revokable);
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync(new Uri("/api/v3/query_sql?db=alpha&q=SELECT%201", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.DeleteAsync(new Uri("/api/v3/configure/token?token_name=revokable", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await before.GetAsync(new Uri("/api/v3/query_sql?db=alpha&q=SELECT%201", UriKind.Relative))).StatusCode);
        var again = await Http.DeleteAsync(new Uri("/api/v3/configure/token?token_name=revokable", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var operatorToken = await Http.DeleteAsync(new Uri("/api/v3/configure/token?token_name=_admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, operatorToken.StatusCode);
    }

    [Theory]
    [InlineData("", "the body must be a JSON object")]
    [InlineData("{", "the body is not valid JSON: ")]
    [InlineData("[]", "the body must be a JSON object, not an array")]
    [InlineData("{\"name\":\"x\"}", "the token needs \"permissions\" (e.g. [\"db:mydb:read,write\"]) or \"admin\": true")]
    [InlineData("{\"permissions\":[\"db:a:read\"]}", "the token needs a \"name\"")]
    [InlineData("{\"name\":\"x\",\"admin\":\"yes\"}", "\"admin\" must be true or false, not a string")]
    [InlineData("{\"name\":\"x\",\"permisions\":[\"db:a:read\"]}", "unknown field \"permisions\": a token takes name, admin, permissions and expires_at or expiry")]
    [InlineData("{\"name\":\"x\",\"permissions\":[\"db:a:drop\"]}", "invalid permission 'db:a:drop': unknown action 'drop' (use read, write or delete)")]
    [InlineData("{\"name\":\"x\",\"permissions\":[\"a:read\"]}", "invalid permission 'a:read': use db:NAME:ACTIONS")]
    [InlineData("{\"name\":\"x\",\"permissions\":\"db:a:read\"}", "\"permissions\" must be an array")]
    [InlineData("{\"name\":\"x\",\"permissions\":[\"db:a:read\"],\"expires_at\":\"2000-01-01T00:00:00Z\"}", "the expiry is in the past")]
    [InlineData("{\"name\":\"x\",\"permissions\":[\"db:a:read\"],\"expiry\":\"soon\"}", "\"expiry\" must be a duration")]
    [InlineData("{\"name\":\"x\",\"admin\":true,\"permissions\":[\"db:a:read\"]}", "an admin token may do everything")]
    public async Task A_malformed_token_request_is_a_400_naming_the_problem_and_creates_nothing(string body, string messageStart)
    {
        using var response = await Http.PostAsync(new Uri("/api/v3/configure/token", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(messageStart, (await Json(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
        var list = await Http.GetAsync(new Uri("/api/v3/configure/token", UriKind.Relative));
        Assert.DoesNotContain((await Json(list)).EnumerateArray(), t => t.GetProperty("name").GetString() == "x");
    }

    [Fact]
    public async Task Enterprise_shaped_permissions_and_the_cli_make_the_same_tokens()
    {
        var secret = await CreateTokenAsync("""{"token_name":"enterprise","permissions":[{"resource_type":"db","resource_names":["alpha","beta"],"actions":["read"]}],"expiry":"30d"}""");
        using var client = Server.Client(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/v3/query_sql?db=beta&q=SELECT%201", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync(new Uri("/api/v3/write_lp?db=beta", UriKind.Relative), new StringContent("x v=1"))).StatusCode);

        var host = Server.Url.ToString();
        var created = WriteApiTests.RunCli("token", "create", "--host", host, "--token", Server.AdminToken!, "--name", "cli-writer", "--permission", "db:alpha,beta:write", "--permission", "db:alpha:read", "--expiry", "7d");
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Contains("token 'cli-writer' (db:alpha:write db:beta:write db:alpha:read, expires ", created.Output, StringComparison.Ordinal);
        var cliSecret = System.Text.RegularExpressions.Regex.Match(created.Output, @"apiv3_\S+").Value;
        using var cliClient = Server.Client(cliSecret);
        Assert.Equal(HttpStatusCode.NoContent, (await cliClient.PostAsync(new Uri("/api/v3/write_lp?db=beta", UriKind.Relative), new StringContent("x v=1 1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await cliClient.GetAsync(new Uri("/api/v3/query_sql?db=beta&q=SELECT%201", UriKind.Relative))).StatusCode);

        var list = WriteApiTests.RunCli("token", "list", "--host", host, "--token", Server.AdminToken!);
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains("cli-writer", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("apiv3_", list.Output, StringComparison.Ordinal);

        var bad = WriteApiTests.RunCli("token", "create", "--host", host, "--token", Server.AdminToken!, "--name", "nothing");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("give --admin or at least one --permission", bad.Output, StringComparison.Ordinal);

        var deleted = WriteApiTests.RunCli("token", "delete", "--host", host, "--token", Server.AdminToken!, "--name", "cli-writer");
        Assert.True(deleted.ExitCode == 0, deleted.Output);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cliClient.PostAsync(new Uri("/api/v3/write_lp?db=beta", UriKind.Relative), new StringContent("x v=1 1"))).StatusCode);
    }

    // ---- Flight ----

    [Fact]
    public async Task Flight_DoGet_GetFlightInfo_and_prepared_statements_need_read_on_the_database()
    {
        var tokens = await TokensAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);

        using (var call = client.GetStream(Ticket("alpha", "SELECT count(*) FROM cpu"), Auth(tokens["reader"])))
        {
            Assert.NotEmpty(await FlightCalls.ReadAllAsync(call.ResponseStream));
        }
        foreach (var role in new[] { "writer", "deleter" })
        {
            var denied = await FlightCalls.DoGetErrorAsync(client, Ticket("alpha", "SELECT 1"), Auth(tokens[role]));
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        }
        var otherDb = await FlightCalls.DoGetErrorAsync(client, Ticket("beta", "SELECT 1"), Auth(tokens["reader"]));
        Assert.Equal(StatusCode.PermissionDenied, otherDb.StatusCode);
        Assert.Equal("token 'reader' may not read database 'beta'", otherDb.Status.Detail);
        var influxql = await FlightCalls.DoGetErrorAsync(client, new FlightTicket("""{"database":"beta","sql_query":"SELECT * FROM cpu","query_type":"influxql"}"""), Auth(tokens["reader"]));
        Assert.Equal(StatusCode.PermissionDenied, influxql.StatusCode);
        // InfluxQL SHOW DATABASES over Flight lists only the databases the token may read (beta exists too).
        using (var call = client.GetStream(new FlightTicket("""{"database":"alpha","sql_query":"SHOW DATABASES","query_type":"influxql"}"""), Auth(tokens["reader"])))
        {
            var names = new List<string?>();
            foreach (var batch in await FlightCalls.ReadAllAsync(call.ResponseStream))
            {
                var column = (StringArray)batch.Column(batch.Schema.GetFieldIndex("name"));
                names.AddRange(Enumerable.Range(0, column.Length).Select(i => column.GetString(i)));
            }
            Assert.Equal(["alpha"], names);
        }

        // Flight SQL: CommandStatementQuery in GetFlightInfo with the database header, then DoGet of its ticket.
        var descriptor = FlightDescriptor.CreateCommandDescriptor(StatementQuery("SELECT count(*) FROM cpu"));
        var info = await client.GetInfo(descriptor, Auth(tokens["reader"], ("database", "alpha"))).ResponseAsync;
        using (var call = client.GetStream(info.Endpoints[0].Ticket, Auth(tokens["reader"], ("database", "alpha"))))
        {
            Assert.NotEmpty(await FlightCalls.ReadAllAsync(call.ResponseStream));
        }
        var sqlDenied = await Assert.ThrowsAsync<RpcException>(async () => await client.GetInfo(descriptor, Auth(tokens["reader"], ("database", "beta"))).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, sqlDenied.StatusCode);
        var writerSql = await Assert.ThrowsAsync<RpcException>(async () => await client.GetInfo(descriptor, Auth(tokens["writer"], ("database", "alpha"))).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, writerSql.StatusCode);
        // The ticket GetFlightInfo answered carries its database: another token cannot replay it.
        var replay = await FlightCalls.DoGetErrorAsync(client, info.Endpoints[0].Ticket, Auth(tokens["writer"]));
        Assert.Equal(StatusCode.PermissionDenied, replay.StatusCode);

        var schema = await Assert.ThrowsAsync<RpcException>(async () => await client.GetSchema(FlightDescriptor.CreatePathDescriptor("beta", "cpu"), Auth(tokens["reader"])).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, schema.StatusCode);

        var prepare = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var action = client.DoAction(new FlightAction("CreatePreparedStatement", PrepareRequest("SELECT 1")), Auth(tokens["reader"], ("database", "beta")));
            await FlightCalls.ReadAllAsync(action.ResponseStream);
        });
        Assert.Equal(StatusCode.PermissionDenied, prepare.StatusCode);

        var noToken = await FlightCalls.DoGetErrorAsync(client, Ticket("alpha", "SELECT 1"), []);
        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
    }

    [Fact]
    public async Task Flight_ListFlights_shows_only_readable_databases()
    {
        var tokens = await TokensAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);
        using var call = client.ListFlights(null, Auth(tokens["reader"]));
        var flights = await FlightCalls.ReadAllAsync(call.ResponseStream);
        Assert.NotEmpty(flights);
        Assert.All(flights, f => Assert.Equal("alpha", f.Descriptor.Paths.First()));
        var named = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var other = client.ListFlights(null, Auth(tokens["reader"], ("database", "beta")));
            await FlightCalls.ReadAllAsync(other.ResponseStream);
        });
        Assert.Equal(StatusCode.PermissionDenied, named.StatusCode);
    }

    [Fact]
    public async Task Flight_DoPut_needs_write_on_the_database()
    {
        var tokens = await TokensAsync();
        using var channel = Channel();
        var client = new FlightClient(channel);
        var schema = new Schema.Builder()
            .Field(f => f.Name("time").DataType(new TimestampType(TimeUnit.Nanosecond, (string?)null)).Nullable(false))
            .Field(f => f.Name("v").DataType(DoubleType.Default))
            .Build();
        RecordBatch Batch() => new(schema,
        [
            new TimestampArray.Builder(new TimestampType(TimeUnit.Nanosecond, (string?)null)).Append(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)).Build(),
            new DoubleArray.Builder().Append(1.5).Build(),
        ], 1);
        // 32 MB, far beyond the HTTP/2 flow-control windows: the server refuses on the descriptor while this is still
        // being sent (the old form of this test then saw Cancelled every time), so the refusal must reach the client
        // through a write that fails half way.
        var times = new TimestampArray.Builder(new TimestampType(TimeUnit.Nanosecond, (string?)null));
        var values = new DoubleArray.Builder();
        for (var i = 0; i < 2_000_000; i++)
        {
            times.Append(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + i));
            values.Append(i);
        }
        var big = new RecordBatch(schema, [times.Build(), values.Build()], 2_000_000);

        using (var put = client.StartPut(FlightDescriptor.CreatePathDescriptor("alpha", "put"), Auth(tokens["writer"])))
        {
            await put.RequestStream.WriteAsync(Batch());
            await put.RequestStream.CompleteAsync();
            Assert.Single(await FlightCalls.ReadAllAsync(put.ResponseStream));
        }
        foreach (var (role, db) in new[] { ("reader", "alpha"), ("deleter", "alpha"), ("writer", "beta") })
        {
            var denied = await FlightCalls.DoPutErrorAsync(client, FlightDescriptor.CreatePathDescriptor(db, "put"), Auth(tokens[role]), Batch(), big);
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
            Assert.Equal($"token '{role}' may not write database '{db}'", denied.Status.Detail);
        }
        using var admin = Server.Client();
        var rows = await admin.GetAsync(new Uri("/api/v3/query_sql?db=beta&q=SELECT%20count(*)%20AS%20n%20FROM%20put", UriKind.Relative));
        Assert.NotEqual(HttpStatusCode.OK, rows.StatusCode); // no table 'put' was made in beta
    }

    private GrpcChannel Channel() => GrpcChannel.ForAddress(Server.Url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() });

    private static Metadata Auth(string token, params (string Key, string Value)[] extra)
    {
        var metadata = new Metadata { { "authorization", "Bearer " + token } };
        foreach (var (key, value) in extra)
        {
            metadata.Add(key, value);
        }
        return metadata;
    }

    private static FlightTicket Ticket(string database, string sql) =>
        new(JsonSerializer.Serialize(new Dictionary<string, string> { ["database"] = database, ["sql_query"] = sql }));

    private static byte[] StatementQuery(string sql) => new Google.Protobuf.WellKnownTypes.Any
    {
        TypeUrl = "type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery",
        Value = ByteString.CopyFrom([0x0A, .. FlightCalls.Varint(Encoding.UTF8.GetByteCount(sql)), .. Encoding.UTF8.GetBytes(sql)]),
    }.ToByteArray();

    /// <summary>ActionCreatePreparedStatementRequest{query = 1} packed in an Any.</summary>
    private static ByteString PrepareRequest(string sql) => new Google.Protobuf.WellKnownTypes.Any
    {
        TypeUrl = "type.googleapis.com/arrow.flight.protocol.sql.ActionCreatePreparedStatementRequest",
        Value = ByteString.CopyFrom([0x0A, .. FlightCalls.Varint(Encoding.UTF8.GetByteCount(sql)), .. Encoding.UTF8.GetBytes(sql)]),
    }.ToByteString();




    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
