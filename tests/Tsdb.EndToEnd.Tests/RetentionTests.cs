using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Retention applied to rows on a running server: a database's period shortened after the fact hides old rows from
/// SQL, InfluxQL and PromQL at once, refuses old points on write (keeping their good neighbours), a table's own
/// shorter period applies to that table only, and the retention pass takes the old rows out of the Parquet files.
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private const long Minute = 60_000_000_000;
    private const long Hour = 60 * Minute;
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-retention-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static StringContent Lines(string text) => new(text, Encoding.UTF8, "text/plain");

    private static async Task<List<string>> Sql(HttpClient http, string sql)
    {
        var body = await http.GetStringAsync(new Uri($"/api/v3/query_sql?db=r&format=jsonl&q={Uri.EscapeDataString(sql)}", UriKind.Relative));
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public async Task Shortening_retention_hides_refuses_and_removes_old_rows()
    {
        await using var server = await InProcessTsdb.StartAsync(_dir, "--without-auth", "--deletion-grace", "0s");
        using var http = server.Client();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var old = now - (2 * Hour);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/configure/database", Json("{\"db\":\"r\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=r", Lines($"cpu,host=a usage=1 {old}\ncpu,host=a usage=2 {now - (10 * Minute)}\ncpu,host=z usage=9 {old}\ndisk,host=a used=1 {now - (45 * Minute)}\ndisk,host=a used=2 {now - Minute}"))).StatusCode);
        await http.PostAsync("/api/v3/persist", null);
        // More in the buffer only, old and new.
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=r", Lines($"cpu,host=b usage=3 {old}\ncpu,host=b usage=4 {now - (5 * Minute)}"))).StatusCode);
        Assert.Equal(["{\"n\":5}"], await Sql(http, "SELECT count(*) AS n FROM cpu"));

        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync("/api/v3/configure/database", Json("{\"db\":\"r\",\"retention_period\":\"1h\"}"))).StatusCode);

        // SQL, InfluxQL and PromQL no longer see the 2-hour-old rows.
        Assert.Equal(["{\"host\":\"a\",\"usage\":2}", "{\"host\":\"b\",\"usage\":4}"], await Sql(http, "SELECT host, usage FROM cpu ORDER BY host"));
        Assert.Equal(["{\"n\":1}"], await Sql(http, "SELECT count(*) AS n FROM cpu WHERE host = 'b'"));
        var influxql = JsonNode.Parse(await http.GetStringAsync(new Uri($"/query?db=r&epoch=ns&q={Uri.EscapeDataString("SELECT usage FROM cpu")}", UriKind.Relative)))!;
        var values = influxql["results"]![0]!["series"]![0]!["values"]!.AsArray();
        Assert.Equal([now - (10 * Minute), now - (5 * Minute)], values.Select(v => v![0]!.GetValue<long>()).Order());
        var promql = JsonNode.Parse(await http.GetStringAsync(new Uri($"/api/v1/query?db=r&query={Uri.EscapeDataString("count_over_time(cpu_usage[3h])")}&time={now / 1_000_000_000.0:F3}", UriKind.Relative)))!;
        var counts = promql["data"]!["result"]!.AsArray().Select(r => r!["value"]![1]!.GetValue<string>()).ToList();
        Assert.Equal(["1", "1"], counts);
        // Metadata read from rows forgets host z, whose only row expired.
        var tagValues = JsonNode.Parse(await http.GetStringAsync(new Uri($"/query?db=r&q={Uri.EscapeDataString("SHOW TAG VALUES FROM cpu WITH KEY = host")}", UriKind.Relative)))!;
        Assert.Equal(["a", "b"], tagValues["results"]![0]!["series"]![0]!["values"]!.AsArray().Select(v => v![1]!.GetValue<string>()));
        var labelValues = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/label/host/values?db=r", UriKind.Relative)))!;
        Assert.Equal(["a", "b"], labelValues["data"]!.AsArray().Select(v => v!.GetValue<string>()));

        // A 2-hour-old point is refused with its line's error; its good neighbours are stored.
        var refused = await http.PostAsync("/api/v3/write_lp?db=r", Lines($"cpu,host=c usage=5 {now}\ncpu,host=c usage=6 {old}\ncpu,host=c usage=7 {now - Minute}"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("partial write of line protocol occurred", error.RootElement.GetProperty("error").GetString());
        var line = Assert.Single(error.RootElement.GetProperty("data").EnumerateArray().ToList());
        Assert.Equal(2, line.GetProperty("line_number").GetInt32());
        Assert.StartsWith("point time ", line.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.Contains("is outside the retention period of database 'r' (1h): the oldest time accepted now is ", line.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["{\"usage\":5}", "{\"usage\":7}"], await Sql(http, "SELECT usage FROM cpu WHERE host = 'c' ORDER BY usage"));

        // A table's own shorter period applies to it only: disk keeps 30 minutes, cpu still an hour.
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync("/api/v3/configure/table", Json("{\"db\":\"r\",\"table\":\"disk\",\"retention_period\":\"30m\"}"))).StatusCode);
        Assert.Equal(["{\"used\":2}"], await Sql(http, "SELECT used FROM disk"));
        Assert.Equal(["{\"n\":4}"], await Sql(http, "SELECT count(*) AS n FROM cpu"));
        var tables = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v3/configure/table?db=r", UriKind.Relative)))!.AsArray();
        Assert.Equal("[{\"table_name\":\"cpu\",\"retention_period\":null,\"effective_retention_period\":\"1h\"},{\"table_name\":\"disk\",\"retention_period\":\"30m\",\"effective_retention_period\":\"30m\"}]", tables.ToJsonString());
        // A table created with its own period.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/configure/table", Json("{\"db\":\"r\",\"table\":\"net\",\"tags\":[\"host\"],\"fields\":[{\"name\":\"bytes\",\"type\":\"int64\"}],\"retention_period\":\"10m\"}"))).StatusCode);
        var net = await http.PostAsync("/api/v3/write_lp?db=r", Lines($"net,host=a bytes=1i {now - (20 * Minute)}"));
        Assert.Equal(HttpStatusCode.BadRequest, net.StatusCode);
        Assert.Contains("of table 'net' (10m)", await net.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var cli = WriteApiTests.RunCli("table", "list", "--database", "r", "--format", "json", "--host", server.Url.ToString());
        Assert.Contains("{\"table\":\"net\",\"retention_period\":\"10m\",\"effective_retention_period\":\"10m\"}", cli.Output, StringComparison.Ordinal);

        // After the retention pass the old rows are gone from the Parquet files too (the PATCH ran one; persist the
        // buffer and check what the files hold: their time ranges come from their rows).
        await http.PostAsync("/api/v3/persist", null);
        await http.PatchAsync("/api/v3/configure/table", Json("{\"db\":\"r\",\"table\":\"disk\",\"retention_period\":\"30m\"}"));
        await http.PostAsync("/api/v3/compact", null);   // also deletes what the grace (0 s here) lets go
        var files = await PersistenceTests.Files(http, "r");
        Assert.All(files, f => Assert.True(f!["min_time"]!.GetValue<long>() >= now - (f["table"]!.GetValue<string>() == "disk" ? 30 * Minute : Hour), f.ToJsonString()));
        Assert.Equal(4, files.Where(f => f!["table"]!.GetValue<string>() == "cpu").Sum(f => f!["row_count"]!.GetValue<long>()));
        Assert.Equal(1, files.Where(f => f!["table"]!.GetValue<string>() == "disk").Sum(f => f!["row_count"]!.GetValue<long>()));
        var onDisk = Directory.GetFiles(Path.Combine(_dir, "dbs"), "*.parquet", SearchOption.AllDirectories);
        Assert.Equal(files.Select(f => Path.GetFullPath(Path.Combine(_dir, f!["path"]!.GetValue<string>()))).Order(), onDisk.Select(Path.GetFullPath).Order());
    }
}
