using System.Net;
using System.Text;

namespace Tsdb.EndToEnd.Tests;

/// <summary>Acknowledged writes survive a clean restart and kill -9 at random moments during concurrent writes.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-durability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Rows_survive_a_clean_restart()
    {
        string token;
        await using (var server = await TsdbProcess.StartAsync(_dir))
        {
            token = server.AdminToken!;
            using var http = server.Client();
            var body = string.Join('\n', Enumerable.Range(0, 100).Select(i => $"m,host=h{i % 4} v={i}i,s=\"x{i}\" {1_700_000_000_000_000_000L + i}"));
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=d", new StringContent(body))).StatusCode);
            await server.StopAsync();
        }
        await using (var server = await TsdbProcess.StartAsync(_dir))
        {
            Assert.Null(server.AdminToken); // printed once, on the first start only
            Assert.Contains("replayed 1 WAL records (100 rows not yet persisted)", server.Output, StringComparison.Ordinal);
            using var http = server.Client(token);
            var rows = await Export.RowsAsync(http, "d", "m");
            Assert.Equal(Enumerable.Range(0, 100), rows.Select(r => (int)r.GetProperty("v").GetInt64()).Order());
            Assert.Equal("x42", rows.Single(r => r.GetProperty("v").GetInt64() == 42).GetProperty("s").GetString());
        }
    }

    [Fact]
    public async Task Acknowledged_writes_survive_kill_9_during_concurrent_writes()
    {
        var random = new Random(20261121);
        var acknowledged = new HashSet<(int Writer, int Line)>();
        var attempted = 0;
        string? token = null;
        const int Writers = 4;
        var nextLine = new int[Writers];
        for (var round = 0; round < 5; round++)
        {
            await using var server = await TsdbProcess.StartAsync(_dir);
            token ??= server.AdminToken;
            using var http = server.Client(token);

            // Everything acknowledged before any earlier kill is here, exactly once.
            var rows = await Export.RowsAsync(http, "crash", "events");
            var seen = rows.Select(r => ((int)r.GetProperty("writer").GetInt64(), (int)r.GetProperty("line").GetInt64())).ToList();
            Assert.Equal(seen.Count, seen.Distinct().Count());
            var present = seen.ToHashSet();
            var lost = acknowledged.Where(a => !present.Contains(a)).ToList();
            Assert.True(lost.Count == 0, $"round {round}: {lost.Count} acknowledged lines lost, e.g. {string.Join(", ", lost.Take(5))}");

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var first = nextLine[w];
                    var count = 1 + (first % 200);
                    nextLine[w] = first + count;
                    var body = new StringBuilder();
                    for (var i = first; i < first + count; i++)
                    {
                        body.Append(CultureInvariant($"events,host=h{i % 7} writer={w}i,line={i}i,v={i * 0.5} {1_700_000_000_000_000_000L + (w * 1_000_000_000L) + i}\n"));
                    }
                    Interlocked.Increment(ref attempted);
                    try
                    {
                        var response = await http.PostAsync("/api/v3/write_lp?db=crash", new StringContent(body.ToString()), CancellationToken.None);
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
                        return; // the server is gone
                    }
                }
            })).ToArray();
            await Task.Delay(random.Next(300, 1500));
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        Assert.True(acknowledged.Count > 1000, $"only {acknowledged.Count} lines were acknowledged in {attempted} requests");

        await using (var final = await TsdbProcess.StartAsync(_dir))
        {
            using var http = final.Client(token);
            var present = (await Export.RowsAsync(http, "crash", "events")).Select(r => ((int)r.GetProperty("writer").GetInt64(), (int)r.GetProperty("line").GetInt64())).ToHashSet();
            Assert.DoesNotContain(acknowledged, a => !present.Contains(a));
        }
    }

    [Fact]
    public async Task A_full_write_buffer_answers_503_with_retry_after_and_loses_nothing_it_acknowledged()
    {
        await using var server = await TsdbProcess.StartAsync(_dir, "--buffer-memory-limit", "1KiB", "--without-auth");
        using var http = server.Client();
        var body = string.Join('\n', Enumerable.Range(0, 100).Select(i => $"bp,host=h v={i}i {i}"));
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/v3/write_lp?db=bp", new StringContent(body))).StatusCode);
        var refused = await http.PostAsync("/api/v3/write_lp?db=bp", new StringContent("bp,host=h v=1000i 1000"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("write buffer is full", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(100, (await Export.RowsAsync(http, "bp", "bp")).Count);
    }

    private static string CultureInvariant(FormattableString s) => FormattableString.Invariant(s);
}
