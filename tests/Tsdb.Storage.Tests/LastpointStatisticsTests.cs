using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tsdb.Arrow.Arrays;
using Tsdb.Core.Deletes;
using Tsdb.Query;
using Tsdb.Query.Sql;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;

namespace Tsdb.Storage.Tests;

/// <summary>
/// lastpoint (<c>DISTINCT ON (host) … ORDER BY host, time DESC</c>) over real storage, where the first pass takes each
/// host's newest time from the chunks' tag times instead of their rows: the answer must equal a plain model of the
/// visible points in every case where a statistic could mislead (row deletes, time ranges, filters, files without
/// statistics, retention), and EXPLAIN ANALYZE says which chunks answered from statistics.
/// </summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class LastpointStatisticsTests : IAsyncLifetime
{
    private readonly StorageHarness _s = new();

    /// <summary>The visible points, (host, time) to v.</summary>
    private readonly SortedDictionary<(string Host, long Time), double> _model = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private async Task Write(params (string Host, long Time, double V)[] points)
    {
        await _s.Write(string.Join('\n', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"t,host={p.Host} v={p.V} {p.Time}"))));
        foreach (var p in points)
        {
            _model[(p.Host, p.Time)] = p.V;
        }
    }

    private async Task Delete(DeletePredicate predicate)
    {
        await _s.Deleter.DeleteAsync("db", "t", predicate);
        var host = predicate.Terms.SingleOrDefault()?.String;
        foreach (var key in _model.Keys.Where(k => (host is null || k.Host == host) && (predicate.FromTime is not { } f || k.Time >= f) && (predicate.ToTime is not { } t || k.Time <= t)).ToList())
        {
            _model.Remove(key);
        }
    }

    /// <summary>Files as a version before tag times wrote them.</summary>
    private async Task PersistWithoutStatistics()
    {
        var options = _s.Options with { TagTimesMaxValues = 0 };
        using var old = new PersistService(_s.Catalog, _s.Buffer, _s.Wal, new ParquetFileWriter(_s.Store, options, _s.Time), options);
        await old.PersistAsync();
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string Query(string where, bool descending) =>
        $"SELECT DISTINCT ON (host) host, CAST(time AS BIGINT) AS t, v FROM t {where} ORDER BY host, time {(descending ? "DESC" : "ASC")}";

    /// <summary>The engine's answer, and the FirstPerKeyExec line of its EXPLAIN ANALYZE.</summary>
    private async Task<(List<string> Rows, string Plan)> Lastpoint(string where = "", bool descending = true)
    {
        var sql = new SqlEngine(new QueryExecutor(_s.Tables, _s.Time));
        var result = await sql.ExecuteAsync("db", Query(where, descending), CancellationToken.None);
        var rows = new List<string>();
        foreach (var batch in result.Batches)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => Text(c.GetObject(i)))));
            }
        }
        var explained = await sql.ExecuteAsync("db", "EXPLAIN ANALYZE " + Query(where, descending), CancellationToken.None);
        var plan = ((StringArray)explained.Batches[0].Column(1)).GetString(0)!;
        return (rows, plan.Split('\n').Single(l => l.TrimStart().StartsWith("FirstPerKeyExec:", StringComparison.Ordinal)));
    }

    /// <summary>Each host's newest (oldest) visible point among those <paramref name="keep"/> lets through.</summary>
    private List<string> Expected(bool descending = true, Func<long, bool>? keep = null) =>
        [.. _model.Where(p => keep is null || keep(p.Key.Time)).GroupBy(p => p.Key.Host).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => descending ? g.Last() : g.First())
            .Select(p => $"{p.Key.Host}|{p.Key.Time}|{Text(p.Value)}")];

    /// <summary>How many chunks the first pass answered from statistics and read as rows.</summary>
    private static (int Statistics, int Scanned) Chunks(string plan) =>
        (Count(plan, "bound_chunks_statistics"), Count(plan, "bound_chunks_scanned"));

    private static int Count(string plan, string name) =>
        Regex.Match(plan, name + @"=(\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    [Fact]
    public async Task Files_and_the_buffer_answer_from_statistics_and_the_answer_equals_the_rows()
    {
        // An older file holds a's newest point; the newer file has older points of a; d is only in the buffer and
        // older than everything else (the bound is d's time).
        await Write(("a", 50, 1), ("b", 20, 2), ("c", 30, 3));
        await _s.Persist.PersistAsync();
        await Write(("a", 10, 4), ("b", 40, 5));
        await _s.Persist.PersistAsync();
        await Write(("d", 5, 6), ("c", 35, 7));
        var (rows, plan) = await Lastpoint();
        Assert.Equal(Expected(), rows);
        Assert.Equal(["a|50|1", "b|40|5", "c|35|7", "d|5|6"], rows);
        Assert.Contains("statistics=host", plan, StringComparison.Ordinal);
        Assert.Equal((3, 0), Chunks(plan));
    }

    [Fact]
    public async Task A_row_delete_that_may_remove_a_newest_row_makes_its_chunks_read_as_rows()
    {
        await Write(("a", 10, 1), ("a", 20, 2), ("b", 30, 3));
        await _s.Persist.PersistAsync();
        await Write(("c", 40, 4));
        await _s.Persist.PersistAsync();
        // a's newest row goes: its file's statistic would still say 20 and the bound would pass a's row at 10.
        await Delete(new DeletePredicate(20, 20, [DeleteTerm.Of("host", DeleteOperator.Equal, "a")]));
        var (rows, plan) = await Lastpoint();
        Assert.Equal(Expected(), rows);
        Assert.Contains("a|10|1", rows);
        // The delete reaches the first file only (the second's time range is outside it): that one is read as rows.
        Assert.Equal((1, 1), Chunks(plan));
    }

    [Fact]
    public async Task A_delete_of_everything_before_a_time_keeps_the_newer_rows_statistics_when_descending()
    {
        await Write(("a", 10, 1), ("a", 30, 2), ("b", 20, 3), ("c", 25, 4));
        await _s.Persist.PersistAsync();
        await Delete(new DeletePredicate(null, 20, []));
        var (rows, plan) = await Lastpoint();
        Assert.Equal(Expected(), rows);
        Assert.Equal(["a|30|2", "c|25|4"], rows);
        Assert.Equal((1, 0), Chunks(plan));
        // The oldest visible time of a is not known from the file's statistic (its row at 10 is gone): read as rows.
        var (first, firstPlan) = await Lastpoint(descending: false);
        Assert.Equal(Expected(descending: false), first);
        Assert.Equal(["a|30|2", "c|25|4"], first);
        Assert.Equal((0, 1), Chunks(firstPlan));
    }

    [Fact]
    public async Task A_time_range_that_cuts_a_chunk_reads_it_as_rows_and_one_that_covers_it_does_not()
    {
        await Write(("a", 10, 1), ("a", 30, 2), ("b", 20, 3));
        await _s.Persist.PersistAsync();
        await Write(("a", 100, 4), ("b", 110, 5));
        await _s.Persist.PersistAsync();
        // time <= 25 cuts the first file: its statistic says a's newest is 30, past the range.
        var (rows, plan) = await Lastpoint("WHERE time <= to_timestamp_nanos(25)");
        Assert.Equal(Expected(keep: t => t <= 25), rows);
        Assert.Equal(["a|10|1", "b|20|3"], rows);
        Assert.Equal((0, 1), Chunks(plan));
        // time >= 5 AND time < 200 covers both files whole.
        var (all, allPlan) = await Lastpoint("WHERE time >= to_timestamp_nanos(5) AND to_timestamp_nanos(200) > time");
        Assert.Equal(Expected(keep: t => t is >= 5 and < 200), all);
        Assert.Equal((2, 0), Chunks(allPlan));
        // time > 10 cuts the first file at its first row, and covers the second.
        var (cut, cutPlan) = await Lastpoint("WHERE time > to_timestamp_nanos(10)");
        Assert.Equal(Expected(keep: t => t > 10), cut);
        Assert.Equal((1, 1), Chunks(cutPlan));
    }

    [Fact]
    public async Task A_filter_on_anything_but_time_reads_every_chunk_as_rows()
    {
        await Write(("a", 10, 1), ("a", 30, -1), ("b", 20, 1));
        await _s.Persist.PersistAsync();
        var (rows, plan) = await Lastpoint("WHERE v > 0");
        Assert.Equal(["a|10|1", "b|20|1"], rows);
        Assert.DoesNotContain("statistics=", plan, StringComparison.Ordinal);
        Assert.Equal((0, 1), Chunks(plan));
        var (tagged, taggedPlan) = await Lastpoint("WHERE host <> 'b'");
        Assert.Equal(["a|30|-1"], tagged);
        Assert.Equal((0, 1), Chunks(taggedPlan));
    }

    [Fact]
    public async Task Files_without_statistics_are_read_as_rows_beside_files_with_them()
    {
        // c's only point is the oldest of all, in a file written as before tag times existed.
        await Write(("c", 5, 1), ("a", 40, 2));
        await PersistWithoutStatistics();
        await Write(("a", 50, 3), ("b", 60, 4));
        await _s.Persist.PersistAsync();
        Assert.Equal(2, _s.Catalog.Current.Files.Count);
        var (rows, plan) = await Lastpoint();
        Assert.Equal(Expected(), rows);
        Assert.Equal(["a|50|3", "b|60|4", "c|5|1"], rows);
        Assert.Equal((1, 1), Chunks(plan));
    }

    [Fact]
    public async Task A_column_with_more_values_than_the_limit_has_no_statistic()
    {
        var options = _s.Options with { TagTimesMaxValues = 2 };
        await Write(("a", 10, 1), ("b", 20, 2), ("c", 30, 3));
        using (var limited = new PersistService(_s.Catalog, _s.Buffer, _s.Wal, new ParquetFileWriter(_s.Store, options, _s.Time), options))
        {
            await limited.PersistAsync();
        }
        var file = Assert.Single(_s.Catalog.Current.Files);
        Assert.Null(await new ParquetChunk(file, new ParquetFiles(_s.Memory)).GetTagTimesAsync("host", CancellationToken.None));
        var (rows, plan) = await Lastpoint();
        Assert.Equal(Expected(), rows);
        Assert.Equal((0, 1), Chunks(plan));
    }

    [Fact]
    public async Task Rows_hidden_by_retention_do_not_reach_the_answer()
    {
        const long Hour = 3_600_000_000_000L;
        var now = _s.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
        // x's only point expires; y has one point on each side of the cutoff, in the same file.
        await Write(("x", now - (3 * Hour), 1), ("y", now - (3 * Hour) + 1, 2), ("y", now - Hour, 3), ("z", now - (Hour / 2), 4));
        await _s.Persist.PersistAsync();
        await _s.SetRetention(TimeSpan.FromHours(2));
        var (rows, plan) = await Lastpoint();
        Assert.Equal(Expected(keep: t => t >= now - (2 * Hour)), rows);
        Assert.Equal([$"y|{now - Hour}|3", $"z|{now - (Hour / 2)}|4"], rows);
        Assert.Equal((1, 0), Chunks(plan));
    }

    [Fact]
    public async Task Compaction_writes_the_tag_times_of_the_rows_it_merges()
    {
        await Write(("a", 10, 1), ("b", 20, 2));
        await _s.Persist.PersistAsync();
        await Write(("a", 30, 3), ("c", 5, 4));
        await _s.Persist.PersistAsync();
        await _s.Write("t v=9 15");   // a point without the tag
        await _s.Persist.PersistAsync();
        await _s.Compactor.CompactAsync(minFiles: 2);
        var file = Assert.Single(_s.Catalog.Current.Files);
        Assert.True(file.Level > 0);
        var times = await new ParquetChunk(file, new ParquetFiles(_s.Memory)).GetTagTimesAsync("host", CancellationToken.None);
        Assert.NotNull(times);
        Assert.Equal(
            ["a:10-30", "b:20-20", "c:5-5"],
            times.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}:{v.Value.Oldest}-{v.Value.Newest}"));
        Assert.Equal(new Query.Chunks.KeyTimes(15, 15), times.Missing);
        var (rows, plan) = await Lastpoint();
        Assert.Equal(["a|30|3", "b|20|2", "c|5|4", "null|15|9"], rows);
        Assert.Equal((1, 0), Chunks(plan));
    }

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 10)];

    /// <summary>
    /// Random writes, deletes (one host's time range, a time range, everything before a time), persists with and
    /// without statistics, and compactions (split into several files); after every step lastpoint in both orders and
    /// with a time range equals the model.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_steps_answer_as_the_model(int seed)
    {
        await using var s = new StorageHarness(new StorageOptions { CompactionTargetFileBytes = 1500 + (seed * 150), CompactionMemoryBudget = 2 * StorageOptions.CompactionBytesPerOpenFile });
        var random = new Random(seed);
        var model = new SortedDictionary<(string Host, long Time), double>();
        var log = new List<string>();
        var sql = new SqlEngine(new QueryExecutor(s.Tables, s.Time));
        var used = 0;
        await s.Write("t,host=h0 v=0 0");
        model[("h0", 0)] = 0;
        for (var step = 0; step < 40; step++)
        {
            var op = random.Next(10);
            if (op < 5)
            {
                var lines = new StringBuilder();
                for (var i = 0; i < 1 + random.Next(8); i++)
                {
                    var host = "h" + random.Next(6);
                    var time = (long)random.Next(60);
                    var v = random.Next(100) / 4.0;
                    lines.Append(CultureInfo.InvariantCulture, $"t,host={host} v={v} {time}\n");
                    model[(host, time)] = v;
                }
                await s.Write(lines.ToString());
                log.Add("write " + lines.ToString().Replace('\n', ';'));
            }
            else if (op == 5)
            {
                string? host = random.Next(3) == 0 ? null : "h" + random.Next(6);
                long? from = random.Next(3) == 0 ? null : random.Next(60);
                long to = (from ?? 0) + random.Next(20);
                var terms = host is null ? Array.Empty<DeleteTerm>() : [DeleteTerm.Of("host", DeleteOperator.Equal, host)];
                await s.Deleter.DeleteAsync("db", "t", new DeletePredicate(from, to, terms));
                foreach (var key in model.Keys.Where(k => (host is null || k.Host == host) && (from is null || k.Time >= from) && k.Time <= to).ToList())
                {
                    model.Remove(key);
                }
                log.Add($"delete host={host ?? "*"} time in [{from?.ToString(CultureInfo.InvariantCulture) ?? "-inf"}, {to}]");
            }
            else if (op is 6 or 7)
            {
                var options = s.Options with { TagTimesMaxValues = op == 6 ? 0 : 64 };
                using var persist = new PersistService(s.Catalog, s.Buffer, s.Wal, new ParquetFileWriter(s.Store, options, s.Time), options);
                await persist.PersistAsync();
                log.Add(op == 6 ? "persist without statistics" : "persist");
            }
            else
            {
                var result = await s.Compactor.CompactAsync(minFiles: 2);
                log.Add($"compact: {result.FilesRemoved} files into {result.FilesWritten}");
            }
            var bound = random.Next(60);
            foreach (var (where, descending, keep) in new (string, bool, Func<long, bool>)[]
            {
                ("", true, _ => true),
                ("", false, _ => true),
                ($"WHERE time >= to_timestamp_nanos({bound})", true, t => t >= bound),
                ($"WHERE time <= to_timestamp_nanos({bound})", true, t => t <= bound),
            })
            {
                var expected = model.Where(p => keep(p.Key.Time)).GroupBy(p => p.Key.Host).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => descending ? g.Last() : g.First()).Select(p => $"{p.Key.Host}|{p.Key.Time}|{Text(p.Value)}").ToList();
                var result = await sql.ExecuteAsync("db", Query(where, descending), CancellationToken.None);
                var actual = new List<string>();
                foreach (var batch in result.Batches)
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        actual.Add(string.Join('|', batch.Columns.Select(c => Text(c.GetObject(i)))));
                    }
                }
                Assert.True(expected.SequenceEqual(actual), $"seed {seed}, step {step}, {Query(where, descending)}:\n{string.Join('\n', log)}\nexpected:\n{string.Join('\n', expected)}\nactual:\n{string.Join('\n', actual)}");
            }
            var explained = await sql.ExecuteAsync("db", "EXPLAIN ANALYZE " + Query("", true), CancellationToken.None);
            used += Count(((StringArray)explained.Batches[0].Column(1)).GetString(0)!, "bound_chunks_statistics");
        }
        // The statistics were exercised, not just the fallback.
        Assert.True(used > 0, string.Join('\n', log));
    }
}
#pragma warning restore CA1001
