using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The server under a 512 MiB GC heap hard limit (what a container limit does): the default buffer and query limits
/// follow it, and writes and heavy queries together get an answer each — success, or 503/429/413 with a message —
/// while the process stays up, and no background persist or compaction fails for memory (they share one budget with
/// the queries, docs/reliability.md). A streamed answer already under way (200 and rows sent) that then runs out of memory
/// is cut, the one thing HTTP allows then; such cuts are counted (as status -200 in the failure message), not failed.
/// </summary>
public sealed partial class MemoryPressureTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-memory-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Under_a_512_MiB_heap_limit_writes_and_heavy_queries_are_answered_and_the_server_stays_up()
    {
        // Run by hand in heavier forms (docs/reliability.md): TSDB_MEMORY_TEST_SERIES=500000 for the initial series,
        // TSDB_MEMORY_TEST_PROCESS_MEMORY=off to compare with the shared budget switched off.
        var series = int.TryParse(Environment.GetEnvironmentVariable("TSDB_MEMORY_TEST_SERIES"), out var n) ? n : 100_000;
        var processMemory = Environment.GetEnvironmentVariable("TSDB_MEMORY_TEST_PROCESS_MEMORY") is { Length: > 0 } p ? p : "auto";
        var environment = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x20000000" };
        await using var server = await TsdbProcess.StartAsync(Path.Combine(_dir, "data"), environment, "--persist-age", "1h", "--process-memory-limit", processMemory);
        using var http = server.Client();
        http.Timeout = TimeSpan.FromMinutes(3);

        // The defaults are shares of what the process may use: 512 MiB → buffer 128 MiB, a query 64 MiB, and 256 MiB
        // that queries, persists and compactions share.
        var memory = MemoryLine().Match(server.Output);
        Assert.True(memory.Success, server.Output);
        Assert.Equal("512", memory.Groups[1].Value);
        Assert.Equal("128", memory.Groups[2].Value);
        Assert.Equal("64", memory.Groups[4].Value);
        Assert.Equal(processMemory == "off" ? "" : "256", memory.Groups[6].Value);

        // High cardinality: 100,000 series with wide string fields (the writers below add 5,000 new ones a request).
        for (var b = 0; b < series / 10_000; b++)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Write(http, b * 10_000, 10_000)).StatusCode);
        }

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var refusals = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task Run(Func<long, Task<HttpResponseMessage>> send)
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using var response = await send(i);
                    string body;
                    try
                    {
                        body = await response.Content.ReadAsStringAsync();
                    }
                    catch (HttpRequestException) when (response.StatusCode == HttpStatusCode.OK)
                    {
                        // A streamed answer (200 and its first rows already sent) that runs out of memory later can
                        // only be cut: HTTP has no way to change the status then (docs/reliability.md).
                        statuses.AddOrUpdate(-200, 1, (_, n) => n + 1);
                        continue;
                    }
                    statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    if ((int)response.StatusCode >= 400)
                    {
                        refusals.AddOrUpdate($"{(int)response.StatusCode} {body[..Math.Min(70, body.Length)]}", 1, (_, n) => n + 1);
                    }
                    if ((int)response.StatusCode is not (200 or 204 or 413 or 429 or 503))
                    {
                        failures.Enqueue($"{(int)response.StatusCode}: {body}");
                    }
                    else if ((int)response.StatusCode >= 400 && body.Length == 0)
                    {
                        failures.Enqueue($"{(int)response.StatusCode} without a message");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"no answer: {e.Message}");
                }
            }
        }
        var writers = Enumerable.Range(0, 2).Select(w => Run(i => Write(http, 1_000_000 + (w * 10_000_000) + (i * 5_000), 5_000)));
        // Queries that materialise a lot: every row sorted by a wide string, and a group by over every series.
        var queries = new[]
        {
            Run(_ => http.GetAsync("/api/v3/query_sql?db=mem&q=SELECT+*+FROM+m+ORDER+BY+pad+DESC&format=json", HttpCompletionOption.ResponseHeadersRead)),
            Run(_ => http.GetAsync("/api/v3/query_sql?db=mem&q=SELECT+host,+pad,+count(*)+FROM+m+GROUP+BY+host,+pad+ORDER+BY+host", HttpCompletionOption.ResponseHeadersRead)),
        };
        await Task.WhenAll(writers.Concat(queries));

        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(10)) + "\nstatuses: " + string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}")) + "\n" + string.Join('\n', server.Output.Split('\n').Where(l => !l.Contains("status=20", StringComparison.Ordinal)).TakeLast(40)));
        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        foreach (var (refusal, count) in refusals.OrderByDescending(p => p.Value))
        {
            output.WriteLine($"{count}× {refusal}");
        }
        Assert.True(statuses.GetValueOrDefault(204) > 0, "no write was stored: " + string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}")));
        Assert.Equal("OK", await http.GetStringAsync("/health"));
        output.WriteLine(string.Join('\n', (await http.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("tsdb_process_memory", StringComparison.Ordinal))));
        output.WriteLine(string.Join('\n', server.Output.Split('\n').Where(l => l.Contains("persisted", StringComparison.Ordinal) || l.Contains("warning", StringComparison.Ordinal))));
        // Whatever the load left in the buffer (up to its 128 MiB limit, every row its own series) persists once the
        // load stops: a persist works in slices of bounded size, whatever the table's cardinality (docs/reliability.md).
        using var persist = await http.PostAsync("/api/v3/persist", null);
        Assert.True(persist.StatusCode == HttpStatusCode.OK, $"{(int)persist.StatusCode}: {await persist.Content.ReadAsStringAsync()}");
        // Queries, persists and compactions reserve from one budget, so the process as a whole stays under its heap
        // limit: no round of background work fails for memory (it waits its turn instead) and nothing else runs out.
        var bad = server.Output.Split('\n').FirstOrDefault(l => l.Contains("OutOfMemoryException", StringComparison.Ordinal)
            || l.Contains("background storage work failed", StringComparison.Ordinal) || l.Contains("background storage work still failing", StringComparison.Ordinal));
        Assert.True(bad is null, bad);
    }

    private static Task<HttpResponseMessage> Write(HttpClient http, long first, int count)
    {
        var text = new StringBuilder();
        for (var id = first; id < first + count; id++)
        {
            text.Append("m,host=h").Append(id).Append(" v=").Append(id).Append("i,pad=\"").Append(Guid.NewGuid().ToString("N")).Append(Guid.NewGuid().ToString("N")).Append("\" ")
                .Append(1_700_000_000_000_000_000L + (id * 1_000_000L)).Append('\n');
        }
        return http.PostAsync("/api/v3/write_lp?db=mem", new StringContent(text.ToString(), Encoding.UTF8));
    }

    [GeneratedRegex(@"memory: (\d+) MiB available to the process; write buffer limit (\d+) MiB, persist at (\d+) MiB, (\d+) MiB per query(; queries, persists and compactions share (\d+) MiB)?")]
    private static partial Regex MemoryLine();
}
