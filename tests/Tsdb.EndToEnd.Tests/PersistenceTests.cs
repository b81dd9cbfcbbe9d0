using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>Persist, compaction, retention and deletes on a running server with the file object store.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-persist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StringContent Lines(string text) => new(text, Encoding.UTF8, "text/plain");

    internal static async Task<List<string>> ExportLines(HttpClient http, string db, string table)
    {
        var response = await http.GetAsync($"/api/v3/export?db={db}&table={table}");
        return response.StatusCode == HttpStatusCode.NotFound ? [] : [.. (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    internal static async Task<JsonArray> Files(HttpClient http, string db) =>
        JsonNode.Parse(await http.GetStringAsync($"/api/v3/system/files?db={db}"))!.AsArray();

    [Fact]
    public async Task Persisted_files_hold_deduplicated_sorted_rows_that_DuckDB_reads_from_the_data_dir()
    {
        await using var server = await InProcessTsdb.StartAsync(_dir, "--without-auth");
        using var http = server.Client();
        const long day1 = 1_700_000_000_000_000_000, day2 = day1 + 86_400_000_000_000;
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=p", Lines($"""
            cpu,host=b usage=1,idle=10i {day1}
            cpu,host=a usage=2 {day1}
            cpu,host=a usage=3 {day2}
            mem,host=a free=5i {day1}
            """))).StatusCode);
        // A later write of one field at the same key: it wins for usage, idle stays.
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=p", Lines($"cpu,host=b usage=9 {day1}"))).StatusCode);
        var before = await ExportLines(http, "p", "cpu");

        var persisted = JsonNode.Parse(await (await http.PostAsync("/api/v3/persist", null)).Content.ReadAsStringAsync())!;
        Assert.Equal(3, persisted["files"]!.GetValue<int>()); // cpu day1, cpu day2, mem day1
        Assert.Equal(before, await ExportLines(http, "p", "cpu"));
        Assert.Equal(["{\"time\":1700000000000000000,\"host\":\"a\",\"usage\":2}", "{\"time\":1700000000000000000,\"host\":\"b\",\"usage\":9,\"idle\":10}"], before.Take(2));

        var files = await Files(http, "p");
        var cpuDay1 = files.Single(f => f!["table"]!.GetValue<string>() == "cpu" && f["partition"]!.GetValue<string>() == "2023-11-14")!;
        Assert.Equal(2, cpuDay1["row_count"]!.GetValue<long>());
        var path = Path.Combine(_dir, cpuDay1["path"]!.GetValue<string>());
        Assert.True(File.Exists(path), path);
        var duck = JsonNode.Parse(NodeRunner.Run("parquet/read.mjs", "duckdb", path).EnsureSuccess("DuckDB").StandardOutput)!;
        Assert.Equal("TIMESTAMP_NS", duck["types"]!["time"]!.GetValue<string>());
        Assert.Equal(["a", "b"], duck["columns"]!["host"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["1700000000000000000", "1700000000000000000"], duck["columns"]!["time"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal([null, "10"], duck["columns"]!["idle"]!.AsArray().Select(v => v?.GetValue<string>()));
    }

    [Fact]
    public async Task Restart_after_persist_and_after_losing_the_persisted_wal_gives_the_same_rows()
    {
        List<string> expected;
        await using (var server = await InProcessTsdb.StartAsync(_dir, "--without-auth"))
        {
            using var http = server.Client();
            var body = string.Join('\n', Enumerable.Range(0, 500).Select(i => $"m,host=h{i % 5} v={i}i {1_700_000_000_000_000_000L + (i * 1_000_000_000L)}"));
            await http.PostAsync("/api/v3/write_lp?db=r", Lines(body));
            await http.PostAsync("/api/v3/persist", null);
            await http.PostAsync("/api/v3/write_lp?db=r", Lines("m,host=late v=-1i 1700000000000000000"));
            expected = await ExportLines(http, "r", "m");
            Assert.Equal(501, expected.Count);
            await server.StopAsync();
        }
        await using (var server = await InProcessTsdb.StartAsync(_dir, "--without-auth"))
        {
            using var http = server.Client();
            Assert.Equal(expected, await ExportLines(http, "r", "m"));
            await http.PostAsync("/api/v3/persist", null);
            await server.StopAsync();
        }
        // Everything is persisted: the WAL can go entirely.
        Directory.Delete(Path.Combine(_dir, "wal"), recursive: true);
        await using (var server = await InProcessTsdb.StartAsync(_dir, "--without-auth"))
        {
            using var http = server.Client();
            Assert.Equal(expected, await ExportLines(http, "r", "m"));
            // New writes after the WAL loss get sequence numbers beyond the persisted ones and survive a restart.
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=r", Lines("m,host=new v=7i 1700000000000000001"))).StatusCode);
            await server.StopAsync();
        }
        await using (var server = await InProcessTsdb.StartAsync(_dir, "--without-auth"))
        {
            using var http = server.Client();
            Assert.Equal(502, (await ExportLines(http, "r", "m")).Count);
        }
    }

    [Fact]
    public async Task Compaction_merges_a_partitions_files_into_one_with_the_same_rows()
    {
        await using var server = await InProcessTsdb.StartAsync(_dir, "--without-auth", "--deletion-grace", "0s");
        using var http = server.Client();
        for (var round = 0; round < 3; round++)
        {
            // Overlapping keys across files: round r rewrites half of round r-1's points with a new field.
            var body = string.Join('\n', Enumerable.Range(round * 50, 100).Select(i => $"c,host=h{i % 3} v{round}={i}i {1_700_000_000_000_000_000L + i}"));
            await http.PostAsync("/api/v3/write_lp?db=c", Lines(body));
            await http.PostAsync("/api/v3/persist", null);
        }
        Assert.Equal(3, (await Files(http, "c")).Count);
        var before = await ExportLines(http, "c", "c");
        Assert.Equal(200, before.Count);
        var result = JsonNode.Parse(await (await http.PostAsync("/api/v3/compact", null)).Content.ReadAsStringAsync())!;
        Assert.Equal(3, result["files_removed"]!.GetValue<int>());
        var files = await Files(http, "c");
        var file = Assert.Single(files)!;
        Assert.Equal(1, file["level"]!.GetValue<int>());
        Assert.Equal(200, file["row_count"]!.GetValue<long>());
        Assert.Equal(before, await ExportLines(http, "c", "c"));
        // The replaced objects are gone (grace 0), only the compacted file is on disk.
        var onDisk = Directory.GetFiles(Path.Combine(_dir, "dbs"), "*.parquet", SearchOption.AllDirectories);
        Assert.Equal([Path.Combine(_dir, file["path"]!.GetValue<string>())], onDisk);
    }

    [Fact]
    public async Task Retention_drops_old_partitions_and_deletes_free_their_files()
    {
        await using var server = await InProcessTsdb.StartAsync(_dir, "--without-auth", "--deletion-grace", "0s");
        using var http = server.Client();
        // Without retention at first: a point 5 days old would be refused under 2d.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/configure/database", new StringContent("{\"db\":\"ret\"}"))).StatusCode);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var old = now - (5L * 86_400_000_000_000);
        await http.PostAsync("/api/v3/write_lp?db=ret", Lines($"t v=1 {old}\nt v=2 {now}\nu v=3 {now}"));
        await http.PostAsync("/api/v3/persist", null);
        Assert.Equal(3, (await Files(http, "ret")).Count);
        // Retention runs in the background loop (every 5 s by default); the PATCH applies it at once, and queries hide
        // expired rows even before.
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync("/api/v3/configure/database", new StringContent("{\"db\":\"ret\",\"retention_period\":\"2d\"}"))).StatusCode);
        Assert.Equal(["{\"time\":" + now + ",\"v\":2}"], await ExportLines(http, "ret", "t"));
        Assert.Equal(2, (await Files(http, "ret")).Count);
        var bad = await http.PatchAsync("/api/v3/configure/database", new StringContent("{\"db\":\"ret\",\"retention_period\":\"soon\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/api/v3/configure/table?db=ret&table=u")).StatusCode);
        Assert.Empty(await ExportLines(http, "ret", "u"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/api/v3/configure/table?db=ret&table=u")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/api/v3/configure/database?db=ret")).StatusCode);
        await http.PostAsync("/api/v3/compact", null); // runs the pending deletes
        await WaitFor(() => !Directory.Exists(Path.Combine(_dir, "dbs", "ret")) || Directory.GetFiles(Path.Combine(_dir, "dbs", "ret"), "*.parquet", SearchOption.AllDirectories).Length == 0);
    }

    [Fact]
    public async Task The_cli_creates_updates_lists_and_deletes_databases_and_tables()
    {
        await using var server = await InProcessTsdb.StartAsync(_dir, "--without-auth");
        using var http = server.Client();
        var host = server.Url.ToString();
        Assert.Equal(0, WriteApiTests.RunCli("database", "create", "clidb", "--retention-period", "30d", "--host", host).ExitCode);
        var list = WriteApiTests.RunCli("database", "list", "--format", "json", "--host", host);
        Assert.Contains("{\"database\":\"clidb\",\"retention_period\":\"30d\"}", list.Output, StringComparison.Ordinal);
        Assert.Equal(0, WriteApiTests.RunCli("database", "update", "clidb", "--retention-period", "2w", "--host", host).ExitCode);
        Assert.Contains("\"retention_period\":\"14d\"", WriteApiTests.RunCli("database", "list", "--format", "json", "--host", host).Output, StringComparison.Ordinal);
        var bad = WriteApiTests.RunCli("database", "update", "clidb", "--retention-period", "forever", "--host", host);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("invalid retention_period 'forever'", bad.Output, StringComparison.Ordinal);
        await http.PostAsync("/api/v3/write_lp?db=clidb", Lines("t v=1\nu v=2"));
        Assert.Equal(0, WriteApiTests.RunCli("table", "delete", "clidb", "t", "--host", host).ExitCode);
        Assert.Empty(await ExportLines(http, "clidb", "t"));
        Assert.Single(await ExportLines(http, "clidb", "u"));
        Assert.Equal(0, WriteApiTests.RunCli("database", "delete", "clidb", "--host", host).ExitCode);
        Assert.Equal(1, WriteApiTests.RunCli("database", "delete", "clidb", "--host", host).ExitCode);
    }

    internal static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        Assert.True(condition());
    }
}
