using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tsdb.Parquet.Reading;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>/api/v3/query_sql: params, the pretty and parquet formats, metadata views, over a running server.</summary>
public sealed class QueryHttpFeatureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-queryhttp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Lines = """
        cpu,host=a usage=10.5,n=1i 1451606400000000000
        cpu,host=b usage=20,n=2i 1451606460000000000
        cpu,host=a usage=30,n=3i 1451606520000000000
        """;

    private static async Task<InProcessServer> StartWithData(string dir)
    {
        var server = await InProcessTsdb.StartAsync(Path.Combine(dir, "data"), "--without-auth");
        using var http = server.Client();
        var response = await http.PostAsync("/api/v3/write_lp?db=q&precision=nanosecond", new StringContent(Lines, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return server;
    }

    [Fact]
    public async Task Params_from_the_query_string_and_the_body()
    {
        await using var server = await StartWithData(_dir);
        using var http = server.Client();
        var q = Uri.EscapeDataString("SELECT host, usage FROM cpu WHERE host = $host AND n >= $min ORDER BY time");
        var ps = Uri.EscapeDataString("""{"host":"a","min":2}""");
        var get = await http.GetAsync($"/api/v3/query_sql?db=q&q={q}&params={ps}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("""[{"host":"a","usage":30}]""", await get.Content.ReadAsStringAsync());

        var post = await http.PostAsync("/api/v3/query_sql", JsonContent.Create(new JsonObject
        {
            ["db"] = "q",
            ["q"] = "SELECT count(*) AS c FROM cpu WHERE usage > $min AND time >= $from",
            ["params"] = new JsonObject { ["min"] = 10.5, ["from"] = "2016-01-01T00:00:00Z" },
            ["format"] = "jsonl",
        }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("{\"c\":2}\n", await post.Content.ReadAsStringAsync());

        // An integer parameter stays an integer (LIMIT refuses anything else).
        var limited = await http.GetAsync($"/api/v3/query_sql?db=q&q={Uri.EscapeDataString("SELECT n FROM cpu ORDER BY n LIMIT $n")}&params={Uri.EscapeDataString("""{"n":1}""")}");
        Assert.Equal(HttpStatusCode.OK, limited.StatusCode);
        Assert.Single(JsonNode.Parse(await limited.Content.ReadAsStringAsync())!.AsArray());

        var missing = await http.PostAsync("/api/v3/query_sql", JsonContent.Create(new JsonObject { ["db"] = "q", ["q"] = "SELECT host FROM cpu WHERE host = $host" }));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("$host", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var bad = await http.GetAsync($"/api/v3/query_sql?db=q&q={q}&params={Uri.EscapeDataString("[1]")}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("params", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pretty_and_parquet_formats()
    {
        await using var server = await StartWithData(_dir);
        using var http = server.Client();
        var q = Uri.EscapeDataString("SELECT host, time, usage, n FROM cpu ORDER BY time");
        var pretty = await http.GetAsync($"/api/v3/query_sql?db=q&format=pretty&q={q}");
        Assert.Equal(HttpStatusCode.OK, pretty.StatusCode);
        Assert.StartsWith("text/plain", pretty.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Equal("""
            +------+---------------------+-------+---+
            | host | time                | usage | n |
            +------+---------------------+-------+---+
            | a    | 2016-01-01T00:00:00 | 10.5  | 1 |
            | b    | 2016-01-01T00:01:00 | 20.0  | 2 |
            | a    | 2016-01-01T00:02:00 | 30.0  | 3 |
            +------+---------------------+-------+---+

            """.ReplaceLineEndings("\n"), await pretty.Content.ReadAsStringAsync());

        var parquet = await http.GetAsync($"/api/v3/query_sql?db=q&format=parquet&q={q}");
        Assert.Equal(HttpStatusCode.OK, parquet.StatusCode);
        Assert.Equal("application/vnd.apache.parquet", parquet.Content.Headers.ContentType!.MediaType);
        var reader = await ParquetReader.OpenAsync(await parquet.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, reader.RowCount);
        Assert.Equal(["host", "time", "usage", "n"], reader.Schema.Fields.Select(f => f.Name));
        var rows = new List<string>();
        foreach (var batch in await reader.ReadAllAsync())
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => Convert.ToString(c.GetObject(r), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        Assert.Equal(["a|1451606400000000000|10.5|1", "b|1451606460000000000|20|2", "a|1451606520000000000|30|3"], rows);
    }

    [Fact]
    public async Task Information_schema_and_system_parquet_files()
    {
        await using var server = await StartWithData(_dir);
        using var http = server.Client();
        async Task<JsonArray> Query(string sql)
        {
            var response = await http.GetAsync($"/api/v3/query_sql?db=q&q={Uri.EscapeDataString(sql)}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return JsonNode.Parse(body)!.AsArray();
        }
        var tables = await Query("SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY table_schema, table_name");
        Assert.Equal(
            """[{"table_schema":"information_schema","table_name":"columns","table_type":"VIEW"},{"table_schema":"information_schema","table_name":"tables","table_type":"VIEW"},{"table_schema":"iox","table_name":"cpu","table_type":"BASE TABLE"},{"table_schema":"system","table_name":"parquet_files","table_type":"VIEW"},{"table_schema":"system","table_name":"queries","table_type":"VIEW"}]""",
            tables.ToJsonString());
        var columns = await Query("SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'cpu' ORDER BY column_name");
        Assert.Equal(
            """[{"column_name":"host","data_type":"Dictionary(Int32, Utf8)","is_nullable":"YES"},{"column_name":"n","data_type":"Int64","is_nullable":"YES"},{"column_name":"time","data_type":"Timestamp(Nanosecond, None)","is_nullable":"NO"},{"column_name":"usage","data_type":"Float64","is_nullable":"YES"}]""",
            columns.ToJsonString());

        Assert.Empty(await Query("SELECT * FROM system.parquet_files"));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/persist", null)).StatusCode);
        var files = await Query("SELECT table_name, partition, path, size_bytes, row_count, min_time, max_time FROM system.parquet_files");
        var file = Assert.Single(files)!;
        Assert.Equal("cpu", file["table_name"]!.GetValue<string>());
        Assert.Equal("2016-01-01", file["partition"]!.GetValue<string>());
        Assert.EndsWith(".parquet", file["path"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(file["size_bytes"]!.GetValue<long>() > 0);
        Assert.Equal(3, file["row_count"]!.GetValue<long>());
        Assert.Equal(1451606400000000000, file["min_time"]!.GetValue<long>());
        Assert.Equal(1451606520000000000, file["max_time"]!.GetValue<long>());
    }
}
