using System.IO.Compression;
using System.Text.Json;
using ParquetSharp;

namespace Tsdb.EndToEnd.Tests;

/// <summary>The real <c>tsdb</c> client commands (write, query, show, database) against a real server with authentication on.</summary>
public sealed class CliTests() : ServerPerClass("cli")
{
    private string Host => Server.Url.ToString();

    private Task<CliProcess.Result> Cli(params string[] args) => CliProcess.RunAsync([.. args, "--host", Host, "--token", Server.AdminToken!]);

    private string FileOf(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<string> Csv(string db, string sql)
    {
        var r = await Cli("query", "-d", db, "--format", "csv", sql);
        Assert.True(r.ExitCode == 0, r.Output);
        return r.Stdout.ReplaceLineEndings("\n");
    }

    [Fact]
    public async Task Write_a_line_protocol_file_and_query_it_in_every_format()
    {
        var file = FileOf("cpu.lp", "cpu,host=a usage=1.5,n=3i 1700000000000000000\n\n# a comment\ncpu,host=b usage=2.5,n=4i 1700000001000000000\n");
        var write = await Cli("write", "-d", "formats", file);
        Assert.True(write.ExitCode == 0, write.Output);
        Assert.Contains("wrote 2 lines from 1 input", write.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 rejected", write.Stdout, StringComparison.Ordinal);

        const string sql = "SELECT host, usage, n, time FROM cpu ORDER BY time";
        Assert.Equal("host,usage,n,time\na,1.5,3,2023-11-14T22:13:20\nb,2.5,4,2023-11-14T22:13:21\n", await Csv("formats", sql));

        var json = await Cli("query", "-d", "formats", "--format", "json", sql);
        using (var rows = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(2, rows.RootElement.GetArrayLength());
            Assert.Equal(2.5, rows.RootElement[1].GetProperty("usage").GetDouble());
        }
        var jsonl = await Cli("query", "-d", "formats", "--format", "jsonl", sql);
        Assert.Equal(2, jsonl.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var pretty = await Cli("query", "-d", "formats", sql);
        Assert.True(pretty.ExitCode == 0, pretty.Output);
        Assert.Contains("│ host │ usage │ n │ time                │", pretty.Stdout, StringComparison.Ordinal);
        Assert.Contains("│ b    │   2.5 │ 4 │ 2023-11-14T22:13:21 │", pretty.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 rows", pretty.Stdout, StringComparison.Ordinal);

        var parquetPath = Path.Combine(Dir, "out.parquet");
        var parquet = await Cli("query", "-d", "formats", "--format", "parquet", "--output", parquetPath, sql);
        Assert.True(parquet.ExitCode == 0, parquet.Output);
        using (var reader = new ParquetFileReader(parquetPath))
        {
            Assert.Equal(2, reader.FileMetaData.NumRows);
        }

        var csvFile = Path.Combine(Dir, "out.csv");
        Assert.Equal(0, (await Cli("query", "-d", "formats", "--format", "csv", "-o", csvFile, sql)).ExitCode);
        Assert.StartsWith("host,usage,n,time\n", await File.ReadAllTextAsync(csvFile), StringComparison.Ordinal);

        // The query from a file and from stdin.
        var queryFile = FileOf("q.sql", "SELECT count(*) AS c FROM cpu");
        Assert.Equal("c\n2\n", (await Cli("query", "-d", "formats", "--format", "csv", "--file", queryFile)).Stdout);
        var piped = await CliProcess.RunAsync(["query", "-d", "formats", "--format", "csv", "--host", Host, "--token", Server.AdminToken!], stdin: "SELECT count(*) AS c FROM cpu\n");
        Assert.Equal("c\n2\n", piped.Stdout);
    }

    [Fact]
    public async Task InfluxQL_and_PromQL_instant_and_range_queries()
    {
        var file = FileOf("m.lp", "mem,host=a used=10 1700000000000000000\nmem,host=a used=20 1700000060000000000\nmem,host=b used=5 1700000060000000000\n");
        Assert.Equal(0, (await Cli("write", "-d", "langs", file)).ExitCode);

        var influxql = await Cli("query", "-d", "langs", "-l", "influxql", "--format", "csv", "SELECT used FROM mem WHERE host = 'a'");
        Assert.True(influxql.ExitCode == 0, influxql.Output);
        Assert.Equal("iox::measurement,time,used\nmem,2023-11-14T22:13:20,10\nmem,2023-11-14T22:14:20,20\n", influxql.Stdout);

        var instant = await Cli("query", "-d", "langs", "-l", "promql", "--format", "csv", "--time", "1700000060", "mem_used");
        Assert.True(instant.ExitCode == 0, instant.Output);
        Assert.Equal("__name__,host,time,value\nmem_used,a,2023-11-14T22:14:20Z,20\nmem_used,b,2023-11-14T22:14:20Z,5\n", instant.Stdout);

        var range = await Cli("query", "-d", "langs", "-l", "promql", "--format", "jsonl", "--start", "2023-11-14T22:13:20Z", "--end", "1700000060", "--step", "30s", "mem_used{host=\"a\"}");
        Assert.True(range.ExitCode == 0, range.Output);
        var points = range.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, points.Length);
        Assert.Equal("""{"__name__":"mem_used","host":"a","time":"2023-11-14T22:13:20Z","value":10}""", points[0]);
        Assert.Equal("""{"__name__":"mem_used","host":"a","time":"2023-11-14T22:14:20Z","value":20}""", points[2]);

        var pretty = await Cli("query", "-d", "langs", "-l", "promql", "--time", "1700000060", "sum(mem_used)");
        Assert.Contains("│ 2023-11-14T22:14:20Z │    25 │", pretty.Stdout, StringComparison.Ordinal);

        var bad = await Cli("query", "-d", "langs", "-l", "promql", "sum(");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("error: the server answered 400 (Bad Request): ", bad.Stderr, StringComparison.Ordinal);
        var badSql = await Cli("query", "-d", "langs", "SELEC 1");
        Assert.Equal("error: the server answered 400 (Bad Request): line 1, column 1: expected SELECT, WITH, SHOW, EXPLAIN or DELETE, found 'SELEC'\n", badSql.Stderr.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("   at ", badSql.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_with_bad_lines_keeps_the_good_ones_and_lists_the_bad_ones_by_line_number()
    {
        // Batches of two lines: the line numbers must still be the file's.
        var file = FileOf("bad.lp", "t v=1 1\nt v=2 2\nt,x=1 3\n\nt v=\"text\" 4\nt v=5 5\n");
        var r = await Cli("write", "-d", "bad", "--batch-size", "2", "--precision", "s", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("wrote 3 lines from 1 input", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 rejected", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("rejected lines (2):", r.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:3: ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("t,x=1 3", r.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:5: invalid column type for column 'v' in table 't'", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("v\n1\n2\n5\n", await Csv("bad", "SELECT v FROM t ORDER BY time"));
    }

    [Fact]
    public async Task Csv_with_a_header_naming_tags_fields_and_time()
    {
        var file = FileOf("weather.csv",
            "time,tag:city,field:temp:float,field:count:integer,field:ok:boolean,field:note:string,ignore:x\n" +
            "2023-11-14T22:13:20Z,Paris,11.5,3,true,\"mild, dry\",zzz\n" +
            "2023-11-14T22:13:21.5Z,Berlin,7,4,false,,zzz\n" +
            "1700000002000000000,Rome,notanumber,5,true,x,zzz\n" +
            "1700000003000000000,\"Den Haag\",9,6,f,\"quote \"\"q\"\"\",zzz\n");
        var r = await Cli("write", "-d", "csv", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("wrote 3 lines", r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{file}:4: 'temp': 'notanumber' is not a float", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(
            "city,temp,count,ok,note,time\nParis,11.5,3,true,\"mild, dry\",2023-11-14T22:13:20\nBerlin,7,4,false,,2023-11-14T22:13:21.500\nDen Haag,9,6,false,\"quote \"\"q\"\"\",2023-11-14T22:13:23\n",
            await Csv("csv", "SELECT city, temp, count, ok, note, time FROM weather ORDER BY time"));
        var columns = await Cli("show", "columns", "-d", "csv", "--format", "csv");
        Assert.Contains("weather,city,tag,", columns.Stdout, StringComparison.Ordinal);
        Assert.Contains("weather,count,field,Int64", columns.Stdout, StringComparison.Ordinal);
        Assert.Contains("weather,ok,field,Boolean", columns.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(",x,", columns.Stdout, StringComparison.Ordinal);

        var badHeader = await Cli("write", "-d", "csv", FileOf("h.csv", "tag:a,time\nx,1\n"));
        Assert.Equal(2, badHeader.ExitCode);
        Assert.Contains("h.csv, line 1: header: no field column", badHeader.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parquet_file_written_by_ParquetSharp()
    {
        var path = Path.Combine(Dir, "readings.parquet");
        var t0 = new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc);
        var columns = new Column[] { new Column<DateTime>("time"), new Column<string>("host"), new Column<double?>("usage"), new Column<long>("n"), new Column<string>("note") };
        using (var writer = new ParquetFileWriter(path, columns))
        {
            for (var group = 0; group < 2; group++)
            {
                using var rowGroup = writer.AppendRowGroup();
                var rows = Enumerable.Range(group * 500, 500).ToArray();
                using (var w = rowGroup.NextColumn().LogicalWriter<DateTime>())
                {
                    w.WriteBatch(rows.Select(i => t0.AddSeconds(i)).ToArray());
                }
                using (var w = rowGroup.NextColumn().LogicalWriter<string>())
                {
                    w.WriteBatch(rows.Select(i => "h" + (i % 3)).ToArray());
                }
                using (var w = rowGroup.NextColumn().LogicalWriter<double?>())
                {
                    w.WriteBatch(rows.Select(i => i % 10 == 0 ? null : (double?)(i * 0.5)).ToArray());
                }
                using (var w = rowGroup.NextColumn().LogicalWriter<long>())
                {
                    w.WriteBatch(rows.Select(i => (long)i).ToArray());
                }
                using (var w = rowGroup.NextColumn().LogicalWriter<string>())
                {
                    w.WriteBatch(rows.Select(i => i == 7 ? "seven, \"quoted\"" : null).ToArray()!);
                }
            }
            writer.Close();
        }
        var r = await Cli("write", "-d", "pq", "--tags", "host", "--batch-size", "300", path);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("wrote 1,000 lines", r.Stdout, StringComparison.Ordinal);
        Assert.Equal("host,c,nulls,n\nh0,334,34,166833\nh1,333,33,166167\nh2,333,33,166500\n",
            await Csv("pq", "SELECT host, count(*) AS c, count(*) - count(usage) AS nulls, sum(n) AS n FROM readings GROUP BY host ORDER BY host"));
        Assert.Equal("note,usage,time\n\"seven, \"\"quoted\"\"\",3.5,2023-11-14T22:13:27\n",
            await Csv("pq", "SELECT note, usage, time FROM readings WHERE note IS NOT NULL"));
    }

    [Fact]
    public async Task Stdin_gzip_files_and_gzip_request_bodies_through_a_host_without_scheme()
    {
        await using var proxy = new RecordingProxy(Server.Url);
        var env = new Dictionary<string, string> { ["TSDB_HOST"] = proxy.Address, ["TSDB_TOKEN"] = Server.AdminToken! };

        var piped = await CliProcess.RunAsync(["write", "-d", "pipes"], env, stdin: "p v=1 1700000000000000000\np v=2 1700000001000000000\n");
        Assert.True(piped.ExitCode == 0, piped.Output);
        Assert.Contains("wrote 2 lines from 1 input", piped.Stdout, StringComparison.Ordinal);
        Assert.Contains("Content-Encoding: gzip", proxy.Sent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Host: {proxy.Address}", proxy.Sent, StringComparison.Ordinal);

        var gz = Path.Combine(Dir, "more.lp.gz");
        await using (var file = File.Create(gz))
        await using (var zip = new GZipStream(file, CompressionLevel.Optimal))
        {
            await zip.WriteAsync(System.Text.Encoding.UTF8.GetBytes("p v=3 1700000002000000000\n"));
        }
        var plainBodies = await CliProcess.RunAsync(["write", "-d", "pipes", "--no-gzip", gz, "-"], env, stdin: "p v=4 1700000003000000000\n");
        Assert.True(plainBodies.ExitCode == 0, plainBodies.Output);
        Assert.Contains("wrote 2 lines from 2 inputs", plainBodies.Stdout, StringComparison.Ordinal);
        Assert.Contains("p v=4 1700000003000000000", proxy.Sent, StringComparison.Ordinal);   // sent as it is

        var query = await CliProcess.RunAsync(["query", "-d", "pipes", "--format", "csv", "SELECT v FROM p ORDER BY time"], env);
        Assert.Equal("v\n1\n2\n3\n4\n", query.Stdout);

        var noStdin = await CliProcess.RunAsync(["write", "-d", "pipes", Path.Combine(Dir, "missing.lp")], env);
        Assert.Equal(2, noStdin.ExitCode);
        Assert.Equal($"error: no such file: {Path.Combine(Dir, "missing.lp")}\n", noStdin.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Environment_variables_and_readable_errors()
    {
        var noToken = await CliProcess.RunAsync(["show", "databases"], new Dictionary<string, string> { ["TSDB_HOST"] = Host });
        Assert.Equal(1, noToken.ExitCode);
        Assert.Equal("error: the server answered 401 (Unauthorized): the request was not authenticated (give a token with --token or TSDB_TOKEN)\n", noToken.Stderr.ReplaceLineEndings("\n"));

        var badToken = await CliProcess.RunAsync(["show", "databases"], new Dictionary<string, string> { ["TSDB_HOST"] = Host, ["TSDB_TOKEN"] = "apiv3_wrong" });
        Assert.Contains("(the token was refused)", badToken.Stderr, StringComparison.Ordinal);

        // A port nothing listens on: the error names the URL, no stack trace.
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var refused = await CliProcess.RunAsync(["query", "-d", "x", "SELECT 1"], new Dictionary<string, string> { ["TSDB_HOST"] = $"127.0.0.1:{port}" });
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"error: cannot reach the server at http://127.0.0.1:{port}/: Connection refused", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Output, StringComparison.Ordinal);

        var env = new Dictionary<string, string> { ["TSDB_HOST"] = Server.Url.Authority, ["TSDB_TOKEN"] = Server.AdminToken!, ["TSDB_DATABASE"] = "envdb" };
        Assert.Equal(0, (await CliProcess.RunAsync(["write"], env, stdin: "e v=1\n")).ExitCode);
        var count = await CliProcess.RunAsync(["query", "--format", "csv", "SELECT count(*) AS c FROM e"], env);
        Assert.Equal("c\n1\n", count.Stdout);

        var unknownDb = await Cli("query", "-d", "nope", "SELECT 1");
        Assert.Equal(1, unknownDb.ExitCode);
        Assert.Contains("404", unknownDb.Stderr, StringComparison.Ordinal);
        var noDb = await Cli("query", "SELECT 1");
        Assert.Equal(2, noDb.ExitCode);
        Assert.Equal("error: no database: give --database NAME (or -d, or TSDB_DATABASE)\n", noDb.Stderr.ReplaceLineEndings("\n"));
        var badHost = await CliProcess.RunAsync(["show", "nodes", "--host", "ftp://x"]);
        Assert.Equal(2, badHost.ExitCode);
        Assert.Equal("error: 'ftp://x' is not a server address: use HOST:PORT or http(s)://HOST:PORT\n", badHost.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Show_databases_tables_columns_tokens_and_nodes()
    {
        Assert.Equal(0, (await Cli("write", "-d", "showme", FileOf("s.lp", "alpha,host=a v=1i 1\nbeta f=1.5,s=\"x\",b=true 2\n"))).ExitCode);
        Assert.Equal(0, (await Cli("database", "create", "showme2", "--retention-period", "30d")).ExitCode);

        var databases = await Cli("show", "databases", "--format", "csv");
        Assert.Contains("showme,\n", databases.Stdout, StringComparison.Ordinal);
        Assert.Contains("showme2,30d\n", databases.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("database,retention_period\n", databases.Stdout, StringComparison.Ordinal);

        Assert.Equal("table_name\nalpha\nbeta\n", (await Cli("show", "tables", "-d", "showme", "--format", "csv")).Stdout);
        var pretty = await Cli("show", "tables", "-d", "showme");
        Assert.Contains("│ alpha      │", pretty.Stdout, StringComparison.Ordinal);

        Assert.Equal(
            "table,column,kind,type\nbeta,time,time,\"Timestamp(Nanosecond, None)\"\nbeta,f,field,Float64\nbeta,s,field,Utf8\nbeta,b,field,Boolean\n",
            (await Cli("show", "columns", "-d", "showme", "-t", "beta", "--format", "csv")).Stdout);

        var tokens = await Cli("show", "tokens");
        Assert.True(tokens.ExitCode == 0, tokens.Output);
        Assert.Contains("_admin", tokens.Stdout, StringComparison.Ordinal);
        // The token commands take the host without a scheme too (they used to throw a UriFormatException).
        var tokenList = await CliProcess.RunAsync(["token", "list"], new Dictionary<string, string> { ["TSDB_HOST"] = Server.Url.Authority, ["TSDB_TOKEN"] = Server.AdminToken! });
        Assert.True(tokenList.ExitCode == 0, tokenList.Output);
        Assert.Contains("_admin", tokenList.Stdout, StringComparison.Ordinal);

        var nodes = await Cli("show", "nodes", "--format", "json");
        Assert.True(nodes.ExitCode == 0, nodes.Output);
        using var json = JsonDocument.Parse(nodes.Stdout);
        var node = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(Server.Url.Authority, node.GetProperty("node").GetString());
        Assert.Equal("ok", node.GetProperty("health").GetString());
        Assert.False(string.IsNullOrEmpty(node.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Database_update_changes_only_what_it_is_given()
    {
        Assert.Equal(0, (await Cli("database", "create", "keep", "--retention-period", "30d")).ExitCode);
        var nothing = await Cli("database", "update", "keep");
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("nothing to change", nothing.Stderr, StringComparison.Ordinal);
        Assert.Contains("keep,30d\n", (await Cli("show", "databases", "--format", "csv")).Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await Cli("database", "update", "keep", "--retention-period", "7d")).ExitCode);
        Assert.Contains("keep,7d\n", (await Cli("show", "databases", "--format", "csv")).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli("database", "update", "keep", "--retention-period", "none")).ExitCode);
        Assert.Contains("keep,\n", (await Cli("show", "databases", "--format", "csv")).Stdout, StringComparison.Ordinal);
    }
}
