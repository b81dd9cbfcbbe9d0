using System.Net;
using System.Text;

namespace Tsdb.EndToEnd.Tests;

/// <summary>kill -9 while persists and compactions run all the time: nothing acknowledged is lost, nothing doubles, no orphan file stays.</summary>
public sealed class PersistenceCrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-persist-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kill_9_during_persist_and_compaction_loses_nothing_and_leaves_no_dangling_file()
    {
        var random = new Random(11);
        var acknowledged = new HashSet<(int Writer, int Line)>();
        const int Writers = 3;
        var next = new int[Writers];
        // Tiny thresholds: a persist every few writes, compaction as soon as a day has two files, a one-second deletion grace.
        string[] flags = ["--without-auth", "--persist-check-interval", "50ms", "--persist-buffer-size", "32KiB", "--compaction-min-files", "2", "--deletion-grace", "1s"];
        for (var round = 0; round < 6; round++)
        {
            await using var server = await TsdbProcess.StartAsync(_dir, flags);
            using var http = server.Client();
            await CheckAsync(http, acknowledged, $"round {round}");

            using var stop = new CancellationTokenSource();
            var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var first = next[w];
                    var count = 50 + (first % 150);
                    next[w] = first + count;
                    var body = new StringBuilder();
                    for (var i = first; i < first + count; i++)
                    {
                        // Two days, so persists write several files and compaction has partitions to merge.
                        var time = 1_700_000_000_000_000_000L + ((i % 2) * 86_400_000_000_000L) + (w * 1_000_000_000_000L) + i;
                        body.Append(FormattableString.Invariant($"e,host=h{i % 4} writer={w}i,line={i}i {time}\n"));
                    }
                    try
                    {
                        var response = await http.PostAsync("/api/v3/write_lp?db=crash", new StringContent(body.ToString()));
                        if (response.StatusCode == HttpStatusCode.NoContent)
                        {
                            lock (acknowledged)
                            {
                                for (var i = first; i < first + count; i++)
                                {
                                    acknowledged.Add((w, i));
                                }
                            }
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            })).ToArray();
            await Task.Delay(random.Next(400, 1500));
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(tasks);
        }
        await using (var final = await TsdbProcess.StartAsync(_dir, flags))
        {
            using var http = final.Client();
            await CheckAsync(http, acknowledged, "final");
            Assert.True(acknowledged.Count > 2000, $"only {acknowledged.Count} lines acknowledged");
            // Persisted files exist, and the files on disk are exactly the ones the catalog lists.
            await http.PostAsync("/api/v3/persist", null);
            await http.PostAsync("/api/v3/compact", null);
            var listed = (await PersistenceTests.Files(http, "crash")).Select(f => Path.Combine(_dir, f!["path"]!.GetValue<string>())).Order().ToList();
            Assert.NotEmpty(listed);
            await PersistenceTests.WaitFor(() => Directory.GetFiles(Path.Combine(_dir, "dbs"), "*.parquet", SearchOption.AllDirectories).Order().SequenceEqual(listed));
        }
    }

    private static async Task CheckAsync(HttpClient http, HashSet<(int, int)> acknowledged, string when)
    {
        var rows = (await PersistenceTests.ExportLines(http, "crash", "e")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(r => ((int)r.GetProperty("writer").GetInt64(), (int)r.GetProperty("line").GetInt64())).ToList();
        Assert.Equal(rows.Count, rows.Distinct().Count());
        var present = rows.ToHashSet();
        var lost = acknowledged.Where(a => !present.Contains(a)).ToList();
        Assert.True(lost.Count == 0, $"{when}: {lost.Count} acknowledged lines lost, e.g. {string.Join(", ", lost.Take(5))}");
    }
}
