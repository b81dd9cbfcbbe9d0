using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>
/// A scan skips a filter's time terms for batches whose times all lie inside their range (ScanExec's shortcut): the
/// answers must be those of evaluating the whole filter, for batches inside, across and outside the range, every
/// comparison operator on either side, and other terms beside the time terms.
/// </summary>
public sealed class TimeRangeFilterTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S; // 2016-01-01T00:00:00Z

    [Fact]
    public async Task Filters_with_time_terms_answer_as_row_by_row_evaluation()
    {
        var random = new Random(17);
        var rows = new List<(string? Host, long Time, double? Usage, long? N)>();
        var batches = new List<Arrow.Arrays.RecordBatch>();
        for (var b = 0; b < 40; b++)
        {
            // Each batch covers a window of 0–100 s somewhere in the first 1,000 s, sorted or not.
            var start = random.Next(0, 1000);
            var width = random.Next(0, 100);
            var batch = new List<(string? Host, long Time, double? Usage, long? N)>();
            for (var i = 0; i < random.Next(1, 60); i++)
            {
                batch.Add((random.Next(4) == 0 ? null : "h" + random.Next(3), T0 + ((start + random.Next(0, width + 1)) * S), random.Next(5) == 0 ? null : random.Next(100), rows.Count + batch.Count));
            }
            if (random.Next(2) == 0)
            {
                batch.Sort((x, y) => x.Time.CompareTo(y.Time));
            }
            rows.AddRange(batch);
            batches.Add(MemoryTableSource.Cpu([.. batch]));
        }
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, [.. batches]);
        var engine = new SqlEngine(new QueryExecutor(source, TimeProvider.System));

        static string At(long seconds) => $"'{DateTimeOffset.FromUnixTimeSeconds(1_451_606_400L + seconds):yyyy-MM-ddTHH:mm:ssZ}'";
        for (var round = 0; round < 200; round++)
        {
            var a = random.Next(-50, 1050);
            var b = a + random.Next(0, 400);
            var (sql, keep) = random.Next(7) switch
            {
                0 => ($"time >= {At(a)} AND time < {At(b)}", (Func<(string? Host, long Time, double? Usage, long? N), bool>)(r => r.Time >= T0 + (a * S) && r.Time < T0 + (b * S))),
                1 => ($"time > {At(a)} AND time <= {At(b)} AND host = 'h1'", r => r.Time > T0 + (a * S) && r.Time <= T0 + (b * S) && r.Host == "h1"),
                2 => ($"{At(a)} <= time AND {At(b)} > time AND usage > 50", r => r.Time >= T0 + (a * S) && r.Time < T0 + (b * S) && r.Usage > 50),
                3 => ($"time = {At(a)}", r => r.Time == T0 + (a * S)),
                4 => ($"time >= {At(a)} AND (usage < 20 OR host IS NULL)", r => r.Time >= T0 + (a * S) && (r.Usage < 20 || r.Host is null)),
                5 => ($"time < {At(b)} AND time <> {At(a)}", r => r.Time < T0 + (b * S) && r.Time != T0 + (a * S)),
                _ => ($"time BETWEEN {At(a)} AND {At(b)} AND n % 3 = 0", r => r.Time >= T0 + (a * S) && r.Time <= T0 + (b * S) && r.N % 3 == 0),
            };
            var expected = rows.Where(keep).Select(r => r.N!.Value).Order().ToList();
            var result = await engine.ExecuteAsync("db", $"SELECT n FROM cpu WHERE {sql}", CancellationToken.None);
            var actual = result.Batches.SelectMany(batch => Enumerable.Range(0, batch.Length).Select(i => (long)batch.Column(0).GetObject(i)!)).Order().ToList();
            Assert.True(expected.SequenceEqual(actual), $"{sql}: expected {expected.Count} rows, got {actual.Count}");
        }
    }
}
