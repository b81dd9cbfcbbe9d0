using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// InfluxQL through clients nobody on this project wrote: Debian's <c>influx</c> 1.6.7 CLI, Debian's
/// <c>python3-influxdb</c> 5.3.1, the npm InfluxDB 3 client over Flight, and replays of the requests Grafana's InfluxDB
/// data source sends in InfluxQL mode (pkg/tsdb/influxdb: <c>createRequest</c>, <c>CheckInfluxQLHealth</c>,
/// <c>models/query.go</c>; the query editor's <c>influxql_query_builder.ts</c>).
/// </summary>
public sealed class InfluxQLClientTests(InfluxQLClientFixture fixture) : IClassFixture<InfluxQLClientFixture>
{
    private const string Db = InfluxQLClientFixture.Database;
    private const long S = InfluxQLClientFixture.Start;
    private const long Ms = S * 1000;
    private const long Ns = S * 1_000_000_000;

    // ---- Debian's influx CLI (influxdb-client 1.6.7) ----

    [Fact]
    public void Influx_cli_with_a_token_as_password_prints_csv_json_and_show_answers()
    {
        string[] auth = ["-username", "x", "-password", fixture.Token];

        var csv = Influx(fixture.Url, [.. auth, "-database", Db, "-format", "csv", "-execute", "SELECT \"value\", \"n\" FROM \"cpu\" WHERE \"host\" = 'a'"]);
        Assert.Equal(
            [
                "name,time,value,n",
                $"cpu,{Ns},1,1",
                $"cpu,{Ns + 5_000_000_000},3,2",
                $"cpu,{Ns + 30_000_000_000},5,3",
                $"cpu,{Ns + 60_000_000_000},7,4",
                $"cpu,{Ns + 65_000_000_000},9,5",
            ],
            Lines(csv));

        // The CLI asks for chunks: however the server splits them, the series and their values must be these.
        var json = Influx(fixture.Url, [.. auth, "-database", Db, "-format", "json", "-execute",
            $"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {S}s AND time < {S + 120}s GROUP BY time(1m), \"host\""]);
        using (var doc = JsonDocument.Parse(json))
        {
            var series = AllSeries(doc.RootElement).ToDictionary(s => s.GetProperty("tags").GetProperty("host").GetString()!);
            Assert.Equal(["a", "b"], series.Keys.Order());
            Assert.All(series.Values, s => Assert.Equal("cpu", s.GetProperty("name").GetString()));
            Assert.All(series.Values, s => Assert.Equal(["time", "mean"], s.GetProperty("columns").EnumerateArray().Select(c => c.GetString())));
            Assert.Equal<(long, double)>([(Ns, 3.0), (Ns + 60_000_000_000, 8.0)], TimeValues(series["a"]));
            Assert.Equal<(long, double)>([(Ns, 15.0), (Ns + 60_000_000_000, 30.0)], TimeValues(series["b"]));
        }

        var measurements = Influx(fixture.Url, [.. auth, "-database", Db, "-execute", "SHOW MEASUREMENTS"]);
        Assert.Equal(["name: measurements", "name", "----", "cpu", "disk", "mem"], Lines(measurements));

        var tagValues = Influx(fixture.Url, [.. auth, "-database", Db, "-execute", "SHOW TAG VALUES WITH KEY = host"]);
        Assert.Equal(
            [
                "name: cpu", "key  value", "---  -----", "host a", "host b", "",
                "name: disk", "key  value", "---  -----", "host a", "",
                "name: mem", "key  value", "---  -----", "host a", "host b",
            ],
            Lines(tagValues));

        // Authentication is enforced: a wrong token and no credentials both fail, and the CLI says so.
        var wrong = RunInfluxRaw(fixture.Url, ["-username", "x", "-password", "apiv3_wrong", "-database", Db, "-execute", "SHOW MEASUREMENTS"]);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.StartsWith("ERR: ", wrong.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("cpu", wrong.StandardOutput, StringComparison.Ordinal);
        var anonymous = RunInfluxRaw(fixture.Url, ["-database", Db, "-execute", "SHOW MEASUREMENTS"]);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.DoesNotContain("cpu", anonymous.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// Without auth, the CLI's output from this server must be byte for byte what it prints for InfluxDB 1.6.7 itself
    /// (Debian's influxd, started here) holding the same points: every format, SHOW statements, statement errors and a
    /// parse error with its exit code.
    /// </summary>
    [Fact]
    public async Task Influx_cli_without_auth_prints_exactly_what_it_prints_for_influxdb_1_6_7()
    {
        using var oracle = await InfluxDb1Server.StartAsync();
        await oracle.CreateDatabaseAsync(Db);
        await oracle.WriteAsync(Db, InfluxQLClientFixture.LineProtocol);
        var dir = Directory.CreateTempSubdirectory("tsdb-e2e-iql-cli-").FullName;
        try
        {
            await using var server = await InProcessTsdb.StartAsync(Path.Combine(dir, "data"), "--without-auth");
            await InfluxQLClientFixture.WriteAsync(server, Db, InfluxQLClientFixture.LineProtocol);

            string[][] invocations =
            [
                ["-format", "csv", "-execute", "SELECT \"value\", \"n\" FROM \"cpu\" WHERE \"host\" = 'a'"],
                ["-format", "csv", "-execute", $"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {S}s AND time < {S + 120}s GROUP BY time(1m), \"host\""],
                ["-format", "json", "-execute", $"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {S}s AND time < {S + 120}s GROUP BY time(1m), \"host\""],
                ["-format", "json", "-execute", "SELECT * FROM \"cpu\" WHERE \"host\" = 'b'"],
                ["-format", "column", "-execute", "SELECT max(\"n\"), min(\"value\") FROM \"cpu\" GROUP BY \"region\""],
                ["-precision", "rfc3339", "-execute", "SELECT \"used\" FROM \"mem\""],
                ["-execute", "SHOW MEASUREMENTS"],
                ["-execute", "SHOW TAG VALUES WITH KEY = host"],
                ["-execute", "SHOW TAG KEYS FROM \"cpu\""],
                ["-execute", "SHOW FIELD KEYS"],
                ["-format", "csv", "-execute", "SHOW MEASUREMENTS; SELECT count(\"used\") FROM \"mem\""],
                ["-execute", "SELECT \"value\" FROM \"nothing_here\""],
                ["-execute", "SELECT FROM cpu"],
                ["-format", "json", "-pretty", "-execute", "SELECT * FROM \"cpu\" WHERE \"host\" = 'a' LIMIT 2"],
                ["-precision", "ms", "-execute", "SELECT * FROM \"cpu\", \"mem\""],
                ["-precision", "s", "-format", "csv", "-execute", "SHOW TAG VALUES WITH KEY = \"host\""],
                ["-execute", "SHOW SERIES"],
                ["-execute", "SHOW DATABASES"],
                ["-execute", "SHOW RETENTION POLICIES"],
                ["-execute", "SELECT * FROM /^[cd]/ WHERE \"host\" = 'a'"],
                ["-format", "column", "-execute", $"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {Ms}ms and time <= {Ms + 79_999}ms GROUP BY time(10s), \"host\" fill(null)"],
                ["-chunk-size", "2", "-execute", "SELECT \"value\" FROM \"cpu\""],
                ["-execute", "SELECT \"value\" FROM \"cpu\"; SELECT count(\"value\") FROM \"nope\"; SELECT \"used\" FROM \"mem\""],
                ["-execute", "SELECT sum(\"used\") FROM \"mem\" GROUP BY *"],
                ["-execute", $"SELECT \"value\" FROM \"cpu\" WHERE time >= {Ms}ms - 1s AND time <= {Ms + 20_000}ms + 2s"],
            ];
            var differences = new List<string>();
            foreach (var args in invocations)
            {
                var ours = RunInfluxRaw(server.Url, ["-database", Db, .. args]);
                var theirs = RunInfluxRaw(oracle.Uri, ["-database", Db, .. args]);
                if (ours.ExitCode != theirs.ExitCode || ours.StandardOutput != theirs.StandardOutput || ours.StandardError != theirs.StandardError)
                {
                    differences.Add($"influx {string.Join(' ', args)}\n--- InfluxDB 1.6.7 (exit {theirs.ExitCode}):\n{theirs.StandardOutput}{theirs.StandardError}\n--- ours (exit {ours.ExitCode}):\n{ours.StandardOutput}{ours.StandardError}");
                }
            }
            Assert.True(differences.Count == 0, string.Join("\n\n", differences));

            // The comparison is only worth something if the answers hold data.
            var csv = Influx(server.Url, ["-database", Db, "-format", "csv", "-execute", "SELECT \"used\" FROM \"mem\""]);
            Assert.Equal(["name,time,used", $"mem,{Ns},100", $"mem,{Ns + 10_000_000_000},200"], Lines(csv));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // ---- Debian's python3-influxdb (5.3.1) ----

    [Fact]
    public void Python_influxdb_client_reads_points_lists_and_errors()
    {
        EnsurePythonClient();
        var run = Run("/usr/bin/python3", [Path.Combine(RepoPaths.Interop, "clients", "influxdb1-python.py"), fixture.Url.Host, fixture.Url.Port.ToString(CultureInfo.InvariantCulture), fixture.Token, Db])
            .EnsureSuccess("python3-influxdb script");
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var root = doc.RootElement;

        // ResultSet keys and get_points(tags=…): means per minute, RFC 3339 times when no epoch is asked for.
        Assert.Equal("""[["cpu",{"host":"a"}],["cpu",{"host":"b"}]]""", Compact(root.GetProperty("keys")));
        Assert.Equal(
            $$"""[{"time":"{{InfluxQLClientFixture.Rfc3339(0)}}","mean":3},{"time":"{{InfluxQLClientFixture.Rfc3339(60)}}","mean":8}]""",
            Compact(root.GetProperty("meanA")));
        Assert.Equal(
            $$"""[{"time":"{{InfluxQLClientFixture.Rfc3339(0)}}","mean":15},{"time":"{{InfluxQLClientFixture.Rfc3339(60)}}","mean":30}]""",
            Compact(root.GetProperty("meanB")));

        Assert.Equal("""[{"name":"iql"}]""", Compact(root.GetProperty("databases")));
        Assert.Equal("""[{"name":"cpu"},{"name":"disk"},{"name":"mem"}]""", Compact(root.GetProperty("measurements")));

        // Three statements in one request: three ResultSets, in order.
        var many = root.GetProperty("many").EnumerateArray().Select(Compact).ToArray();
        Assert.Equal(
            [
                $$"""[{"time":{{S}},"value":10},{"time":{{S + 20}},"value":20},{"time":{{S + 70}},"value":30}]""",
                """[{"time":0,"count":2}]""",
                """[{"tagKey":"host"},{"tagKey":"region"}]""",
            ],
            many);

        Assert.Equal($$"""[{"time":{{Ms}},"value":1,"n":1},{"time":{{Ms + 5000}},"value":3,"n":2}]""", Compact(root.GetProperty("epochMs")));
        Assert.Equal($$"""[{"time":"{{InfluxQLClientFixture.Rfc3339(0)}}","value":1}]""", Compact(root.GetProperty("rfc3339")));

        // chunked=true&chunk_size=2: the client yields one ResultSet per chunk.
        Assert.Equal(
            [
                $$"""[{"time":{{S}},"value":1},{"time":{{S + 5}},"value":3}]""",
                $$"""[{"time":{{S + 30}},"value":5},{"time":{{S + 60}},"value":7}]""",
                $$"""[{"time":{{S + 65}},"value":9}]""",
            ],
            root.GetProperty("chunks").EnumerateArray().Select(Compact));

        Assert.Equal($$"""[{"time":{{S}},"value":10},{"time":{{S + 20}},"value":20},{"time":{{S + 70}},"value":30}]""", Compact(root.GetProperty("bound")));
        Assert.Equal("""[{"time":1700000100,"f":2.5,"i":7,"k":"x"}]""", Compact(root.GetProperty("written")));
        Assert.Equal("""["cpu,host=a,region=eu","cpu,host=b,region=us"]""", Compact(root.GetProperty("series")));
        Assert.Equal("""[{"name":"autogen","duration":"0s","shardGroupDuration":"168h0m0s","replicaN":1,"default":true}]""", Compact(root.GetProperty("policies")));
        Assert.Equal($$"""[{"time":{{Ns}},"value":10}]""", Compact(root.GetProperty("post")));
        Assert.Equal("""[{"time":1700000000,"v":1.25}]""", Compact(root.GetProperty("gzip")));
        Assert.StartsWith("CREATE DATABASE is not supported", root.GetProperty("createDatabase").GetProperty("content").GetString(), StringComparison.Ordinal);

        // A parse error is a 400 whose body is 1.x's; a statement error arrives in the result and the client raises it.
        var parse = root.GetProperty("parseError");
        Assert.Equal(400, parse.GetProperty("code").GetInt32());
        Assert.Equal("""{"error":"error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8"}""", parse.GetProperty("content").GetString());
        Assert.Equal("database not found: no_such_db", root.GetProperty("unknownDb").GetProperty("content").GetString());
        Assert.Equal(401, root.GetProperty("wrongToken").GetProperty("code").GetInt32());
    }

    // ---- @influxdata/influxdb3-client with queryType influxql (Flight) ----

    [Fact]
    public void InfluxDB3_client_runs_influxql_over_flight_with_an_iox_measurement_column()
    {
        var run = NodeRunner.Run("clients/influxdb3-influxql.mjs", fixture.Url.ToString().TrimEnd('/'), fixture.Token, Db).EnsureSuccess("influxdb3-client influxql");
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var root = doc.RootElement;

        // Row objects keep the column order: iox::measurement first, then time, then the selected columns.
        // apache-arrow turns nanosecond timestamps into milliseconds.
        Assert.Equal(
            $$"""
            [{"iox::measurement":"cpu","time":{{Ms}},"value":1,"n":1},{"iox::measurement":"cpu","time":{{Ms + 5000}},"value":3,"n":2},{"iox::measurement":"cpu","time":{{Ms + 30000}},"value":5,"n":3},{"iox::measurement":"cpu","time":{{Ms + 60000}},"value":7,"n":4},{"iox::measurement":"cpu","time":{{Ms + 65000}},"value":9,"n":5}]
            """,
            Compact(root.GetProperty("raw")));
        Assert.Equal(
            $$"""
            [{"iox::measurement":"cpu","time":{{Ms}},"host":"a","mean":3},{"iox::measurement":"cpu","time":{{Ms + 60000}},"host":"a","mean":8},{"iox::measurement":"cpu","time":{{Ms}},"host":"b","mean":15},{"iox::measurement":"cpu","time":{{Ms + 60000}},"host":"b","mean":30}]
            """,
            Compact(root.GetProperty("grouped")));
        // Two measurements in FROM: rows of each, named by iox::measurement, columns the other lacks are null.
        Assert.Equal(
            $$"""
            [{"iox::measurement":"cpu","time":{{Ms}},"value":10,"used":null},{"iox::measurement":"mem","time":{{Ms + 10000}},"value":null,"used":200}]
            """,
            Compact(root.GetProperty("two")));
        Assert.Equal(
            """[{"iox::measurement":"measurements","name":"cpu"},{"iox::measurement":"measurements","name":"disk"},{"iox::measurement":"measurements","name":"mem"}]""",
            Compact(root.GetProperty("measurements")));
        Assert.Equal(
            """[{"iox::measurement":"cpu","key":"host","value":"a"},{"iox::measurement":"cpu","key":"host","value":"b"}]""",
            Compact(root.GetProperty("tagValues")));

        // queryPoints: the measurement comes from iox::measurement, field kinds from the column metadata.
        var points = root.GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal(3, points.Length);
        Assert.All(points, p => Assert.Equal("cpu", p.GetProperty("measurement").GetString()));
        Assert.All(points, p => Assert.Equal("float", p.GetProperty("fields").GetProperty("value").GetString()));
        Assert.All(points, p => Assert.Equal("integer", p.GetProperty("fields").GetProperty("n").GetString()));
        Assert.Equal([10.0, 20.0, 30.0], points.Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal([10L, 20L, 30L], points.Select(p => p.GetProperty("n").GetInt64()));
        Assert.Equal([Ms, Ms + 20_000, Ms + 70_000], points.Select(p => long.Parse(p.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture)));

        Assert.Equal("INVALID_ARGUMENT", root.GetProperty("badQuery").GetProperty("code").GetString());
        Assert.Contains("error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8", root.GetProperty("badQuery").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("NOT_FOUND", root.GetProperty("unknownDb").GetProperty("code").GetString());
        Assert.Contains("database not found: no_such_db", root.GetProperty("unknownDb").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    // ---- InfluxDB3.Client (the official C# client) with QueryType.InfluxQL (Flight) ----

    [Fact]
    public async Task InfluxDB3_csharp_client_runs_influxql_over_flight()
    {
        using var client = new InfluxDB3.Client.InfluxDBClient(new InfluxDB3.Client.Config.ClientConfig
        {
            Host = fixture.Url.ToString(),
            Token = fixture.Token,
            Database = Db,
        });
        var rows = await client.Query($"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {S}s AND time < {S + 120}s GROUP BY time(1m), \"host\"", InfluxDB3.Client.Query.QueryType.InfluxQL).ToListAsync();
        // iox::measurement, time, host, mean: the client gives times as BigInteger nanoseconds.
        Assert.Equal(
            [
                ["cpu", new System.Numerics.BigInteger(Ns), "a", 3.0],
                ["cpu", new System.Numerics.BigInteger(Ns + 60_000_000_000), "a", 8.0],
                ["cpu", new System.Numerics.BigInteger(Ns), "b", 15.0],
                ["cpu", new System.Numerics.BigInteger(Ns + 60_000_000_000), "b", 30.0],
            ],
            rows);

        var batches = await client.QueryBatches("SELECT \"used\" FROM \"mem\"", InfluxDB3.Client.Query.QueryType.InfluxQL).ToListAsync();
        var schema = batches[0].Schema;
        Assert.Equal(["iox::measurement", "time", "used"], schema.FieldsList.Select(f => f.Name));
        Assert.Equal([100L, 200L], batches.SelectMany(b => ((Apache.Arrow.Int64Array)b.Column(2)).Values.ToArray()));

        var points = await client.QueryPoints("SELECT \"value\" FROM \"cpu\" WHERE \"host\" = 'b'", InfluxDB3.Client.Query.QueryType.InfluxQL).ToListAsync();
        Assert.Equal(["cpu", "cpu", "cpu"], points.Select(p => p.GetMeasurement()));
        Assert.Equal([10.0, 20.0, 30.0], points.Select(p => p.GetDoubleField("value")));

        // GROUP BY tags come back as tags (iox::column_type::tag), and the schema says where the group key is.
        var grouped = await client.QueryPoints($"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {S}s AND time < {S + 120}s GROUP BY time(1m), \"host\"", InfluxDB3.Client.Query.QueryType.InfluxQL).ToListAsync();
        Assert.Equal(["a", "a", "b", "b"], grouped.Select(p => p.GetTag("host")));
        Assert.All(grouped, p => Assert.Null(p.GetField("host")));
        Assert.Equal([3.0, 8.0, 15.0, 30.0], grouped.Select(p => p.GetDoubleField("mean")));
        var groupedSchema = (await client.QueryBatches($"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {S}s AND time < {S + 120}s GROUP BY time(1m), \"host\"", InfluxDB3.Client.Query.QueryType.InfluxQL).ToListAsync())[0].Schema;
        Assert.Equal("""{"measurement_column_index":0,"tag_key_columns":[{"tag_key":"host","column_index":2,"is_projected":false}]}""", groupedSchema.Metadata["iox::influxql::group_key::metadata"]);

        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => client.Query("SELECT FROM cpu", InfluxDB3.Client.Query.QueryType.InfluxQL).ToListAsync().AsTask());
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("found FROM, expected identifier, string, number, bool at line 1, char 8", error.Status.Detail, StringComparison.Ordinal);
    }

    // ---- Replays of Grafana's InfluxDB data source (InfluxQL mode) ----

    /// <summary>The ways a Grafana data source authenticates: a custom <c>Authorization: Token</c> header (InfluxDB 3
    /// docs), or user and password sent as Basic auth (the backend) or as u/p in the URL (the old browser proxy).</summary>
    public static TheoryData<string> GrafanaAuth => ["token", "basic", "url"];

    [Theory]
    [MemberData(nameof(GrafanaAuth))]
    public async Task Grafana_health_check_lists_the_measurements(string auth)
    {
        // CheckInfluxQLHealth: "SHOW measurements"; Grafana says "datasource is working. 3 measurements found".
        using var response = await GrafanaGetAsync("SHOW measurements", auth);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var series = Assert.Single(Series(doc.RootElement, 0));
        Assert.Equal("measurements", series.GetProperty("name").GetString());
        Assert.Equal(["name"], series.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["cpu", "disk", "mem"], series.GetProperty("values").EnumerateArray().Select(v => v[0].GetString()));
    }

    [Fact]
    public async Task Grafana_health_check_without_or_with_a_wrong_token_is_refused()
    {
        using var http = new HttpClient { BaseAddress = fixture.Url };
        using var none = await http.GetAsync(GrafanaUri("SHOW measurements", "ms"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, GrafanaUri("SHOW measurements", "ms"));
        request.Headers.TryAddWithoutValidation("Authorization", "Token apiv3_wrong");
        using var wrong = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("\"error\"", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The metadata queries the InfluxQL query editor and template variables send (buildMetadataQuery).</summary>
    public static TheoryData<string, string> GrafanaMetadataQueries => new()
    {
        { "SHOW MEASUREMENTS LIMIT 100", """[{"name":"measurements","columns":["name"],"values":[["cpu"],["disk"],["mem"]]}]""" },
        { "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)CP/ LIMIT 100", """[{"name":"measurements","columns":["name"],"values":[["cpu"]]}]""" },
        { "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)[UE]/ WHERE \"host\" = 'b' LIMIT 100", """[{"name":"measurements","columns":["name"],"values":[["cpu"],["mem"]]}]""" },
        { "SHOW TAG KEYS FROM \"cpu\"", """[{"name":"cpu","columns":["tagKey"],"values":[["host"],["region"]]}]""" },
        { "SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\"", """[{"name":"cpu","columns":["key","value"],"values":[["host","a"],["host","b"]]}]""" },
        { "SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\" WHERE \"region\" = 'eu'", """[{"name":"cpu","columns":["key","value"],"values":[["host","a"]]}]""" },
        { "SHOW TAG VALUES WITH KEY = \"host\"", """[{"name":"cpu","columns":["key","value"],"values":[["host","a"],["host","b"]]},{"name":"disk","columns":["key","value"],"values":[["host","a"]]},{"name":"mem","columns":["key","value"],"values":[["host","a"],["host","b"]]}]""" },
        { "SHOW FIELD KEYS FROM \"cpu\"", """[{"name":"cpu","columns":["fieldKey","fieldType"],"values":[["n","integer"],["value","float"]]}]""" },
        { "SHOW FIELD KEYS", """[{"name":"cpu","columns":["fieldKey","fieldType"],"values":[["n","integer"],["value","float"]]},{"name":"disk","columns":["fieldKey","fieldType"],"values":[["free","float"]]},{"name":"mem","columns":["fieldKey","fieldType"],"values":[["used","integer"]]}]""" },
        { "SHOW RETENTION POLICIES on \"iql\"", """[{"columns":["name","duration","shardGroupDuration","replicaN","default"],"values":[["autogen","0s","168h0m0s",1,true]]}]""" },
    };

    [Theory]
    [MemberData(nameof(GrafanaMetadataQueries))]
    public async Task Grafana_query_editor_metadata_queries_answer_as_influxdb_1x(string query, string expectedSeries)
    {
        using var response = await GrafanaGetAsync(query, "token");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(expectedSeries, "[" + string.Join(',', Series(doc.RootElement, 0).Select(Compact)) + "]");
    }

    /// <summary>
    /// A panel from the visual editor (models/query.go): <c>SELECT mean("value") FROM "cpu" WHERE time &gt;= {from}ms and
    /// time &lt;= {to}ms GROUP BY time(10s), "host" fill(null)</c> with epoch=ms, as GET (the default) or POST (form body).
    /// Every 10 s bucket of the range comes back, empty ones as null, times in milliseconds.
    /// </summary>
    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task Grafana_panel_query_with_ms_time_literals_gives_null_filled_10s_buckets_per_host(string method)
    {
        var query = $"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {Ms}ms and time <= {Ms + 79_999}ms GROUP BY time(10s), \"host\" fill(null)";
        using var response = method == "GET" ? await GrafanaGetAsync(query, "token") : await GrafanaPostAsync(query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var series = Series(doc.RootElement, 0);
        Assert.Equal(2, series.Length);
        Assert.Equal("""{"host":"a"}""", Compact(series[0].GetProperty("tags")));
        Assert.Equal("""{"host":"b"}""", Compact(series[1].GetProperty("tags")));
        Assert.All(series, s => Assert.Equal("cpu", s.GetProperty("name").GetString()));
        Assert.All(series, s => Assert.Equal(["time", "mean"], s.GetProperty("columns").EnumerateArray().Select(c => c.GetString())));
        double?[] a = [2, null, null, 5, null, null, 8, null];
        double?[] b = [10, null, 20, null, null, null, null, 30];
        Assert.Equal(a.Select((v, i) => (Ms + (i * 10_000), v)), MsValues(series[0]));
        Assert.Equal(b.Select((v, i) => (Ms + (i * 10_000), v)), MsValues(series[1]));
    }

    [Fact]
    public async Task Grafana_panel_query_with_a_tag_filter_and_the_raw_editor_forms()
    {
        // Visual editor with a tag condition: WHERE ("host" = 'a') AND time >= …ms and time <= …ms.
        var filtered = await PanelAsync($"SELECT mean(\"value\") FROM \"cpu\" WHERE (\"host\" = 'a') AND time >= {Ms}ms and time <= {Ms + 79_999}ms GROUP BY time(20s) fill(null)");
        var only = Assert.Single(filtered);
        Assert.False(only.TryGetProperty("tags", out _));
        Assert.Equal<(long, double?)>([(Ms, 2.0), (Ms + 20_000, 5.0), (Ms + 40_000, null), (Ms + 60_000, 8.0)], MsValues(only));

        // Raw editor after macro expansion: $timeFilter and $__interval, "host"::tag in GROUP BY, fill(previous).
        var last = await PanelAsync($"SELECT last(\"value\") FROM \"cpu\" WHERE time >= {Ms}ms and time <= {Ms + 79_999}ms GROUP BY time(30s), \"host\"::tag fill(previous)");
        Assert.Equal(2, last.Length);
        Assert.Equal<(long, double?)>([(Ms, 3.0), (Ms + 30_000, 5.0), (Ms + 60_000, 9.0)], MsValues(last[0]));
        Assert.Equal<(long, double?)>([(Ms, 20.0), (Ms + 30_000, 20.0), (Ms + 60_000, 30.0)], MsValues(last[1]));

        // A raw query with several statements answers each in its own result (Grafana maps them to frames).
        using var response = await GrafanaGetAsync($"SELECT count(\"value\") FROM \"cpu\" WHERE time >= {Ms}ms and time <= {Ms + 79_999}ms; SELECT max(\"used\") FROM \"mem\" WHERE time >= {Ms}ms and time <= {Ms + 79_999}ms", "token");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal($$"""[{"name":"cpu","columns":["time","count"],"values":[[{{Ms}},8]]}]""", "[" + string.Join(',', Series(doc.RootElement, 0).Select(Compact)) + "]");
        Assert.Equal($$"""[{"name":"mem","columns":["time","max"],"values":[[{{Ms + 10_000}},200]]}]""", "[" + string.Join(',', Series(doc.RootElement, 1).Select(Compact)) + "]");
    }

    /// <summary>Grafana before 7 (pkg/tsdb/influxdb/influxdb.go then): epoch=s, Basic auth from the data source's
    /// user and password, <c>User-Agent: Grafana</c>.</summary>
    [Fact]
    public async Task Old_grafana_panel_query_with_epoch_s_and_basic_auth()
    {
        using var http = new HttpClient { BaseAddress = fixture.Url };
        var query = $"SELECT mean(\"value\") FROM \"cpu\" WHERE time >= {S}s and time <= {S + 79}s GROUP BY time(1m), \"host\" fill(null)";
        using var request = new HttpRequestMessage(HttpMethod.Get, GrafanaUri(query, "s"));
        request.Headers.TryAddWithoutValidation("User-Agent", "Grafana");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("grafana:" + fixture.Token)));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(
            $$"""[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean"],"values":[[{{S}},3],[{{S + 60}},8]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","mean"],"values":[[{{S}},15],[{{S + 60}},30]]}]""",
            "[" + string.Join(',', Series(doc.RootElement, 0).Select(Compact)) + "]");
    }

    /// <summary>
    /// The shapes of query Grafana's visual and raw editors build (models/query.go: selectors with aliases and
    /// transformations, tag conditions with ::tag, regex matches, retention policy prefixes with rp=, ORDER BY time DESC,
    /// limit, slimit, tz(), every fill), sent the way Grafana sends them, must get the answer InfluxDB 1.6.7 gives for
    /// the same points: status and JSON body alike.
    /// </summary>
    [Fact]
    public async Task Grafana_shaped_queries_answer_what_influxdb_1_6_7_answers()
    {
        using var oracle = await InfluxDb1Server.StartAsync();
        await oracle.CreateDatabaseAsync(Db);
        await oracle.WriteAsync(Db, InfluxQLClientFixture.LineProtocol);
        var range = $"time >= {Ms}ms and time <= {Ms + 79_999}ms";
        (string Query, string? Rp)[] queries =
        [
            ($"SELECT mean(\"value\") FROM \"cpu\" WHERE {range} GROUP BY time(10s), \"host\" fill(null)", null),
            ($"SELECT mean(\"value\") AS \"avg\", max(\"n\") AS \"top\" FROM \"cpu\" WHERE {range} GROUP BY time(20s) fill(none)", null),
            ($"SELECT mean(\"value\") FROM \"autogen\".\"cpu\" WHERE {range} GROUP BY time(1m), \"host\" fill(null) ORDER BY time DESC limit 1 tz('Europe/Paris')", "autogen"),
            ($"SELECT mean(\"value\") FROM \"cpu\" WHERE {range} GROUP BY time(1m), \"host\" fill(null) limit 1 slimit 1", null),
            ($"SELECT mean(\"value\") FROM \"cpu\" WHERE (\"host\"::tag = 'b') AND {range} GROUP BY time(1m) fill(none)", null),
            ($"SELECT mean(\"value\") FROM \"cpu\" WHERE (\"host\" =~ /^(a|b)$/ AND \"region\" != 'us') AND {range} GROUP BY time(10s) fill(0)", null),
            ($"SELECT mean(\"value\") FROM \"cpu\" WHERE {range} GROUP BY time(10s) fill(linear)", null),
            ($"SELECT last(\"value\") FROM \"cpu\" WHERE {range} GROUP BY time(30s), \"host\"::tag fill(previous)", null),
            ($"SELECT \"value\" FROM \"cpu\" WHERE (\"value\"::field > 6) AND {range}", null),
            ($"SELECT non_negative_derivative(mean(\"n\"), 10s) FROM \"cpu\" WHERE (\"host\" = 'a') AND {range} GROUP BY time(30s) fill(null)", null),
            ($"SELECT max(\"value\"), min(\"value\") FROM \"cpu\" WHERE {range} GROUP BY time(30s), * fill(null)", null),
            ($"SELECT count(\"value\") FROM \"cpu\" WHERE {range} GROUP BY time(40s), \"region\" fill(null); SELECT sum(\"used\") FROM \"mem\" WHERE {range}", null),
            ($"SELECT top(\"value\", 2), \"host\" FROM \"cpu\" WHERE {range}", null),
            ($"SELECT percentile(\"value\", 90) FROM \"cpu\" WHERE {range} GROUP BY \"host\"", null),
            ($"SELECT \"used\" FROM \"mem\" WHERE {range} ORDER BY time DESC", null),
            ("SHOW measurements", null),
            ("SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)CP/ LIMIT 100", null),
            ("SHOW TAG KEYS FROM \"cpu\"", null),
            ("SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\" WHERE \"region\" = 'eu'", null),
            ("SHOW FIELD KEYS FROM \"cpu\"", null),
            ("SHOW RETENTION POLICIES on \"iql\"", null),
            ("SELECT 1", null),
            ($"SELECT mean(\"value\") FROM \"nothing_here\" WHERE {range} GROUP BY time(10s) fill(null)", null),
        ];
        using var ours = new HttpClient { BaseAddress = fixture.Url };
        using var theirs = new HttpClient { BaseAddress = oracle.Uri };
        var differences = new List<string>();
        foreach (var (query, rp) in queries)
        {
            var uri = GrafanaUri(query, "ms");
            if (rp is not null)
            {
                uri = new Uri(uri.OriginalString + "&rp=" + rp, UriKind.Relative);
            }
            using var ourRequest = new HttpRequestMessage(HttpMethod.Get, uri);
            ourRequest.Headers.TryAddWithoutValidation("Authorization", "Token " + fixture.Token);
            using var ourResponse = await ours.SendAsync(ourRequest);
            using var theirResponse = await theirs.GetAsync(uri);
            var ourBody = Normalized(await ourResponse.Content.ReadAsStringAsync());
            var theirBody = Normalized(await theirResponse.Content.ReadAsStringAsync());
            if (ourResponse.StatusCode != theirResponse.StatusCode || ourBody != theirBody)
            {
                differences.Add($"{query}\n  InfluxDB 1.6.7: {(int)theirResponse.StatusCode} {theirBody}\n  ours:           {(int)ourResponse.StatusCode} {ourBody}");
            }
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>
    /// SLIMIT and SOFFSET as InfluxDB 1.6.7 applies them (checked against Debian's influxd on these points): with
    /// ORDER BY time DESC the series are printed in descending order but picked in ascending order (SLIMIT 1 keeps host a,
    /// SLIMIT 1 SOFFSET 1 keeps host b).
    /// </summary>
    [Theory]
    [InlineData("SELECT mean(\"value\") FROM \"cpu\" WHERE time >= 1700000040000ms and time <= 1700000119999ms GROUP BY time(1m), \"host\" fill(null) ORDER BY time DESC limit 1 slimit 1", """[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean"],"values":[[1700000100000,8]]}]""")]
    [InlineData("SELECT \"value\" FROM \"cpu\" GROUP BY \"host\" ORDER BY time DESC slimit 1 soffset 1", """[{"name":"cpu","tags":{"host":"b"},"columns":["time","value"],"values":[[1700000110000,30],[1700000060000,20],[1700000040000,10]]}]""")]
    public async Task Series_limits_pick_series_as_influxdb_1_6_7_does(string query, string expectedSeries)
    {
        using var response = await GrafanaGetAsync(query, "token");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(expectedSeries, "[" + string.Join(',', Series(doc.RootElement, 0).Select(Compact)) + "]");
    }

    /// <summary>
    /// Answers checked against InfluxDB 1.6.7 on these points (expected values are influxd's, epoch=ms): a time term
    /// inside OR (1.x takes the time range from it and keeps the rest of the condition), mode() beside another
    /// aggregate, count(distinct()) of a tag (no points: a tag is not a field), distinct() in order of first appearance.
    /// </summary>
    [Theory]
    [InlineData("SELECT \"value\" FROM \"cpu\" WHERE (time > 1700000040000ms AND time < 1700000070000ms) OR \"host\" = 'b'", """[{"name":"cpu","columns":["time","value"],"values":[[1700000060000,20]]}]""")]
    [InlineData("SELECT \"value\" FROM \"cpu\" WHERE \"host\" = 'b' OR time > 1700000100000ms", """[{"name":"cpu","columns":["time","value"],"values":[[1700000110000,30]]}]""")]
    [InlineData("SELECT mode(\"n\"), max(\"value\") FROM \"cpu\"", """[{"name":"cpu","columns":["time","mode","max"],"values":[[0,1,30]]}]""")]
    [InlineData("SELECT count(distinct(\"host\")) FROM \"cpu\"", "[]")]
    [InlineData("SELECT distinct(\"n\") FROM \"cpu\" WHERE time >= 1700000040000ms and time <= 1700000119999ms", """[{"name":"cpu","columns":["time","distinct"],"values":[[1700000040000,1],[1700000040000,10],[1700000040000,2],[1700000040000,20],[1700000040000,3],[1700000040000,4],[1700000040000,5],[1700000040000,30]]}]""")]
    public Task Queries_answer_as_influxdb_1_6_7_does(string query, string expectedSeries) => Series_limits_pick_series_as_influxdb_1_6_7_does(query, expectedSeries);

    /// <summary>
    /// Where this server answers unlike 1.6.7 on purpose (docs/influxql.md): SOFFSET without SLIMIT skips series (1.6.7
    /// answers no series at all), and integral() per tag lists its series in tag order (1.6.7 lists host b first).
    /// </summary>
    [Theory]
    [InlineData("SELECT \"value\" FROM \"cpu\" GROUP BY \"host\" soffset 1", """[{"name":"cpu","tags":{"host":"b"},"columns":["time","value"],"values":[[1700000040000,10],[1700000060000,20],[1700000110000,30]]}]""")]
    [InlineData("SELECT integral(\"value\", 1s) FROM \"cpu\" GROUP BY \"host\"", """[{"name":"cpu","tags":{"host":"a"},"columns":["time","integral"],"values":[[0,330]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","integral"],"values":[[0,1550]]}]""")]
    public Task Deliberate_differences_answer_as_documented(string query, string expectedSeries) => Series_limits_pick_series_as_influxdb_1_6_7_does(query, expectedSeries);

    // ---- helpers ----

    private static string Normalized(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Compact(doc.RootElement);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private async Task<JsonElement[]> PanelAsync(string query)
    {
        using var response = await GrafanaGetAsync(query, "token");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        return [.. Series(doc.RootElement, 0).Select(s => s.Clone())];
    }

    /// <summary>GET /query with db, epoch and q encoded as Go's url.Values.Encode does (sorted keys, QueryEscape).</summary>
    private async Task<HttpResponseMessage> GrafanaGetAsync(string query, string auth)
    {
        using var http = new HttpClient { BaseAddress = fixture.Url };
        var uri = GrafanaUri(query, "ms");
        if (auth == "url")
        {
            uri = new Uri(uri.OriginalString + "&p=" + GoQueryEscape(fixture.Token) + "&u=grafana", UriKind.Relative);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("User-Agent", "Grafana/11.3.0");
        if (auth == "token")
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Token " + fixture.Token);
        }
        else if (auth == "basic")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("grafana:" + fixture.Token)));
        }
        return await http.SendAsync(request);
    }

    /// <summary>Grafana's POST mode: db and epoch in the URL, q in a form body.</summary>
    private async Task<HttpResponseMessage> GrafanaPostAsync(string query)
    {
        using var http = new HttpClient { BaseAddress = fixture.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/query?db={Db}&epoch=ms", UriKind.Relative))
        {
            Content = new StringContent("q=" + GoQueryEscape(query), Encoding.UTF8, new MediaTypeHeaderValue("application/x-www-form-urlencoded")),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Token " + fixture.Token);
        return await http.SendAsync(request);
    }

    private static Uri GrafanaUri(string query, string epoch) =>
        new($"/query?db={GoQueryEscape(Db)}&epoch={epoch}&q={GoQueryEscape(query)}", UriKind.Relative);

    private static string GoQueryEscape(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else if (c == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private static JsonElement[] Series(JsonElement root, int statement)
    {
        var result = root.GetProperty("results")[statement];
        Assert.Equal(statement, result.GetProperty("statement_id").GetInt32());
        Assert.False(result.TryGetProperty("error", out var error), error.ToString());
        return result.TryGetProperty("series", out var series) ? [.. series.EnumerateArray()] : [];
    }

    /// <summary>Every series of every result: the CLI's chunked answers may spread one statement over several.</summary>
    private static IEnumerable<JsonElement> AllSeries(JsonElement root) =>
        root.GetProperty("results").EnumerateArray().SelectMany(r => r.TryGetProperty("series", out var s) ? s.EnumerateArray() : Enumerable.Empty<JsonElement>());

    private static (long, double)[] TimeValues(JsonElement series) =>
        [.. series.GetProperty("values").EnumerateArray().Select(v => (v[0].GetInt64(), v[1].GetDouble()))];

    private static (long, double?)[] MsValues(JsonElement series) =>
        [.. series.GetProperty("values").EnumerateArray().Select(v => (v[0].GetInt64(), v[1].ValueKind == JsonValueKind.Null ? (double?)null : v[1].GetDouble()))];

    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    /// <summary>Runs the CLI and returns its standard output; fails with everything it printed if it failed.</summary>
    private static string Influx(Uri url, string[] args) => RunInfluxRaw(url, args).EnsureSuccess("influx " + string.Join(' ', args)).StandardOutput;

    private static NodeRunner.Result RunInfluxRaw(Uri url, string[] args)
    {
        EnsureInfluxCli();
        return Run("influx", ["-host", url.Host, "-port", url.Port.ToString(CultureInfo.InvariantCulture), .. args]);
    }

    private static NodeRunner.Result Run(string fileName, string[] args)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // The CLI reads INFLUX_* variables (host, username, password) and ~/.influx_history: keep them out.
        foreach (var name in new[] { "INFLUX_USERNAME", "INFLUX_PASSWORD", "INFLUX_HOST" })
        {
            info.Environment.Remove(name);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within 2 minutes");
        }
        return new NodeRunner.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static void EnsureInfluxCli() => EnsureDebianPackage("influxdb-client", "/usr/bin/influx", "the influx 1.x CLI");

    // Debian's python3-influxdb installs for Debian's /usr/bin/python3 (a pyenv python3 on PATH would not see it).
    private static void EnsurePythonClient() => EnsureDebianPackage("python3-influxdb", "/usr/lib/python3/dist-packages/influxdb/client.py", "the InfluxDB 1.x Python client");

    private static void EnsureDebianPackage(string package, string file, string what)
    {
        if (File.Exists(file))
        {
            return;
        }
        try
        {
            DebianPackages.Install([package], TimeSpan.FromMinutes(15));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{what} is not installed and Debian's `{package}` package could not be installed: {e.Message}", e);
        }
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"Debian's `{package}` package installed but {file} is missing");
        }
    }
}
