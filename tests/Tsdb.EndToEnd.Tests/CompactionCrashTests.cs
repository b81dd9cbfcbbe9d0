using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// kill -9 at the worst moment of a file rewrite: a compaction (split into several files by a small target size), a
/// compaction that folds a row delete in, and a retention rewrite have uploaded their new files and not yet published
/// them in the catalog (the server's hidden fault point, TSDB_FAULT_PAUSE_BEFORE_PUBLISH, holds them there). After a
/// restart nothing acknowledged is lost, nothing deleted or expired comes back, nothing doubles, and the objects on
/// disk are exactly the catalog's files (the start-up sweep took the unpublished ones).
/// </summary>
public sealed class CompactionCrashTests : IDisposable
{
    private const long Second = 1_000_000_000;
    private const int Batches = 3, PerBatch = 1500;
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-compaction-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Flags =
    [
        "--without-auth", "--persist-check-interval", "50ms", "--compaction-min-files", "1000",
        "--compaction-target-file-size", "1KiB", "--deletion-grace", "1s",
    ];

    [Theory]
    [InlineData("compaction")]
    [InlineData("row delete folded by compaction")]
    [InlineData("retention")]
    public async Task Kill_9_between_upload_and_catalog_update_loses_nothing_and_leaves_no_dangling_object(string moment)
    {
        // Yesterday (UTC), so retention can cut a day partition in the middle.
        var day = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-1), TimeSpan.Zero);
        var dayStart = day.ToUnixTimeMilliseconds() * 1_000_000;
        long TimeOf(int line) => dayStart + ((long)line * 86_000 / (Batches * PerBatch) * Second) + line;
        bool deleted(int line) => moment.StartsWith("row delete", StringComparison.Ordinal) && line % 4 == 1;   // host h1
        var fault = new Dictionary<string, string> { ["TSDB_FAULT_PAUSE_BEFORE_PUBLISH"] = moment == "retention" ? "retention" : "compaction" };
        TimeSpan? retention = null;
        await using (var server = await TsdbProcess.StartAsync(_dir, fault, Flags))
        {
            using var http = server.Client();
            for (var b = 0; b < Batches; b++)
            {
                var body = new StringBuilder();
                // Lines of every batch spread over the whole day: each persist's file overlaps the others.
                for (var line = b; line < Batches * PerBatch; line += Batches)
                {
                    body.Append(CultureInfo.InvariantCulture, $"e,host=h{line % 4} line={line}i,v={line * 7 % 1013}i {TimeOf(line)}\n");
                }
                Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=crash", new StringContent(body.ToString()))).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v3/persist", null)).StatusCode);
            }
            Task<HttpResponseMessage> rewrite;
            if (moment == "retention")
            {
                // A period that ends around noon of that day: its files are partly expired and rewritten at once.
                retention = TimeSpan.FromHours(Math.Ceiling((DateTimeOffset.UtcNow - day.AddHours(12)).TotalHours));
                rewrite = http.PatchAsync("/api/v3/configure/database", new StringContent(
                    JsonSerializer.Serialize(new { db = "crash", retention_period = $"{retention.Value.TotalHours}h" }), Encoding.UTF8, "application/json"));
            }
            else
            {
                if (moment.StartsWith("row delete", StringComparison.Ordinal))
                {
                    using var delete = await http.PostAsync("/api/v3/query_sql", new StringContent(JsonSerializer.Serialize(new { db = "crash", q = "DELETE FROM e WHERE host = 'h1'" }), Encoding.UTF8, "application/json"));
                    Assert.True(delete.IsSuccessStatusCode, await delete.Content.ReadAsStringAsync());
                }
                rewrite = http.PostAsync("/api/v3/compact", null);
            }
            await PersistenceTests.WaitFor(() => server.Output.Contains($"fault point: {fault["TSDB_FAULT_PAUSE_BEFORE_PUBLISH"]} uploaded its files", StringComparison.Ordinal));
            // The new files are in the object store, and the catalog does not name them.
            var listed = (await PersistenceTests.Files(http, "crash")).Select(f => f!["path"]!.GetValue<string>()).ToHashSet();
            Assert.Contains(DataFiles(), f => !listed.Contains(f));
            server.Kill();
            await Assert.ThrowsAnyAsync<Exception>(() => rewrite);
        }

        await using (var server = await TsdbProcess.StartAsync(_dir, Flags))
        {
            using var http = server.Client();
            await CheckAsync(http, TimeOf, deleted, retention, "after the restart");
            await NoDanglingObjectsAsync(http, "after the restart");
            // The rewrite done again, without the fault: the same answer, the files split by time, no object left over.
            using (var compact = await http.PostAsync("/api/v3/compact", null))
            {
                Assert.Equal(HttpStatusCode.OK, compact.StatusCode);
            }
            await CheckAsync(http, TimeOf, deleted, retention, "after compacting again");
            var files = await PersistenceTests.Files(http, "crash");
            Assert.All(files, f => Assert.NotEqual(0, f!["level"]!.GetValue<int>()));
            var ranges = files.Select(f => (Min: f!["min_time"]!.GetValue<long>(), Max: f["max_time"]!.GetValue<long>())).OrderBy(r => r.Min).ToList();
            // Without retention the day holds more than the 1 KiB target: split into several files.
            Assert.True(retention is not null || ranges.Count > 1, $"{ranges.Count} files: {files.ToJsonString()}");
            Assert.All(ranges.Zip(ranges.Skip(1)), p => Assert.True(p.First.Max < p.Second.Min, $"files overlap: {p.First} and {p.Second}"));
            await NoDanglingObjectsAsync(http, "after compacting again");
        }
    }

    private HashSet<string> DataFiles()
    {
        var root = Path.Combine(_dir, "dbs");
        return Directory.Exists(root)
            ? Directory.GetFiles(root, "*.parquet", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir, f).Replace('\\', '/')).ToHashSet()
            : [];
    }

    /// <summary>Waits until the parquet objects on disk are exactly the files the catalog lists (replaced ones go after the grace).</summary>
    private async Task NoDanglingObjectsAsync(HttpClient http, string when)
    {
        HashSet<string> listed = [], onDisk = [];
        for (var i = 0; i < 100; i++)
        {
            listed = (await PersistenceTests.Files(http, "crash")).Select(f => f!["path"]!.GetValue<string>()).ToHashSet();
            onDisk = DataFiles();
            if (onDisk.SetEquals(listed))
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"{when}: objects no catalog entry names: {string.Join(", ", onDisk.Except(listed))}; listed but missing: {string.Join(", ", listed.Except(onDisk))}");
    }

    private static async Task CheckAsync(HttpClient http, Func<int, long> timeOf, Func<int, bool> deleted, TimeSpan? retention, string when)
    {
        var rows = (await PersistenceTests.ExportLines(http, "crash", "e")).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(r => (Line: (int)r.GetProperty("line").GetInt64(), V: r.GetProperty("v").GetInt64())).ToList();
        Assert.Equal(rows.Count, rows.Select(r => r.Line).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(r.Line * 7 % 1013, r.V));
        var present = rows.Select(r => r.Line).ToHashSet();
        // Around the retention cutoff a minute either way is allowed: the clock moves while the test runs.
        var minute = 60 * Second;
        var cutoff = retention is { } period ? (DateTimeOffset.UtcNow - period).ToUnixTimeMilliseconds() * 1_000_000 : long.MinValue + minute;
        var lost = Enumerable.Range(0, Batches * PerBatch).Where(l => !deleted(l) && timeOf(l) >= cutoff + minute && !present.Contains(l)).ToList();
        Assert.True(lost.Count == 0, $"{when}: {lost.Count} acknowledged lines lost, e.g. {string.Join(", ", lost.Take(5))}");
        var back = present.Where(l => deleted(l) || timeOf(l) < cutoff - minute).ToList();
        Assert.True(back.Count == 0, $"{when}: {back.Count} deleted or expired lines came back, e.g. {string.Join(", ", back.Take(5))}");
        Assert.True(present.Count > 1000, $"{when}: only {present.Count} lines");
    }
}
