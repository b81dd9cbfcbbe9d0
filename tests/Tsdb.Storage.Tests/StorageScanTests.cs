using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Query.Sql;

namespace Tsdb.Storage.Tests;

/// <summary>The read path over files and buffered rows: pruning, projection, merging, and retention applied to every scan.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class StorageScanTests : IAsyncLifetime
{
    private StorageHarness _s = null!;

    public Task InitializeAsync()
    {
        _s = new StorageHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private const long Hour = 3_600_000_000_000;

    [Fact]
    public async Task A_scan_with_a_batch_byte_bound_decodes_a_large_row_group_in_row_ranges()
    {
        // One file, one row group of 30,000 rows: unbounded it reads as one batch; bounded to a byte (at least 8,192
        // rows a batch) as four, the same rows in the same order.
        await _s.Write(string.Join('\n', Enumerable.Range(0, 30_000).Select(i => $"t,h=h{i % 7} v={i}i {1_000_000 + i}")));
        await _s.Persist.PersistAsync();
        var request = new ScanRequest("db", "t") { Columns = ["time", "v"] };
        var whole = new List<Tsdb.Arrow.Arrays.RecordBatch>();
        await foreach (var batch in _s.Tables.ScanAsync(request))
        {
            whole.Add(batch);
        }
        var bounded = new List<Tsdb.Arrow.Arrays.RecordBatch>();
        await foreach (var batch in _s.Tables.ScanAsync(request with { MaxBatchBytes = 1 }))
        {
            bounded.Add(batch);
        }
        Assert.Equal([30_000], whole.Select(b => b.Length));
        Assert.Equal([8192, 8192, 8192, 5424], bounded.Select(b => b.Length));
        static IEnumerable<long> Values(List<Tsdb.Arrow.Arrays.RecordBatch> batches) =>
            batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((Tsdb.Arrow.Arrays.Int64Array)b.Column("v")!).GetValue(i)));
        Assert.Equal(Values(whole), Values(bounded));
    }

    [Fact]
    public async Task Scans_skip_files_by_tag_range_and_read_only_the_asked_columns()
    {
        // Day 0: one file holding hosts b and c (streamed as is). Day 1: a file, plus a buffered rewrite of a's point (merged).
        await _s.Write("t,h=b v=2,w=20 1000\nt,h=c v=3,w=30 2000");
        await _s.Persist.PersistAsync();
        await _s.Write("t,h=a v=4,w=40 86400000000000\nt,h=b v=5 86400000000001");
        await _s.Persist.PersistAsync();
        await _s.Write("t,h=a v=6,x=1 86400000000000");

        // h = 'a': day 0's file cannot hold it and is not read; day 1 is merged (latest non-null value per field wins).
        var a = await _s.Scan(new ScanRequest("db", "t") { Columns = ["time", "v", "w"], TagValues = new Dictionary<string, IReadOnlyList<string>> { ["h"] = ["a"] } });
        Assert.DoesNotContain(a, r => r.Row.Contains("|1000|", StringComparison.Ordinal) || r.Row.Contains("|2000|", StringComparison.Ordinal));
        Assert.Contains(("time,h,v,w", "86400000000000|a|6|40"), a);

        // h = 'c': day 0's file is streamed with just the asked columns it has (x came later); day 1's file and its
        // buffered record (only h=a) are skipped by their tag ranges.
        var c = await _s.Scan(new ScanRequest("db", "t") { Columns = ["v", "x"], TagValues = new Dictionary<string, IReadOnlyList<string>> { ["h"] = ["c", "zz"] } });
        Assert.Equal([("v", "2"), ("v", "3")], c);

        // No pushdown: every row, every column, as before.
        Assert.Equal(4, (await _s.Scan(new ScanRequest("db", "t"))).Count);

        // Day 0 gets a second file: later and disjoint in time it is streamed on its own; one that overlaps the
        // first (a rewrite of b's point at 1000) makes the two one group, where only the shared window [1000, 1000]
        // is merged (the rewrite wins) and the first file's row at 2000 goes out as read, first.
        await _s.Write("t,h=b v=7 5000");
        await _s.Persist.PersistAsync();
        Assert.Equal([("time,v", "1000|2"), ("time,v", "2000|3"), ("time,v", "5000|7")],
            await _s.Scan(new ScanRequest("db", "t") { Columns = ["time", "v"], ToTime = 10_000 }));
        await _s.Write("t,h=b v=8 1000");
        await _s.Persist.PersistAsync();
        Assert.Equal([("time,h,v", "2000|c|3"), ("time,h,v", "1000|b|8"), ("time,v", "5000|7")],
            await _s.Scan(new ScanRequest("db", "t") { Columns = ["time", "v"], ToTime = 10_000 }));
        // Day 1 now has two files (the persists above also wrote a's rewrite): b's row lies outside their shared
        // window and comes straight from its file (which has no x); a's point is merged. The sorted read used by
        // export merges each partition whole instead, in tag and time order.
        Assert.Equal([("time,h,v,w", "86400000000001|b|5|null"), ("time,h,v,w,x", "86400000000000|a|6|40|1")],
            await _s.Scan(new ScanRequest("db", "t") { FromTime = 86_400_000_000_000 }));
        Assert.Equal(["1000|b|8|20|null", "5000|b|7|null|null", "2000|c|3|30|null", "86400000000000|a|6|40|1", "86400000000001|b|5|null|null"], await _s.Read());
    }

    [Fact]
    public async Task Rows_past_the_retention_are_invisible_at_once_in_files_and_buffer()
    {
        // Now is day 2 00:00. Rows at -3h, -90m and -30m, persisted, then the same times buffered for another host.
        var now = 2 * 24 * Hour;
        await _s.Write($"t,h=a v=1 {now - (3 * Hour)}\nt,h=a v=2 {now - (Hour * 3 / 2)}\nt,h=a v=3 {now - (Hour / 2)}");
        await _s.Persist.PersistAsync();
        await _s.Write($"t,h=b v=4 {now - (3 * Hour)}\nt,h=b v=5 {now - (Hour * 3 / 2)}\nt,h=b v=6 {now - (Hour / 2)}");
        Assert.Equal(6, (await _s.Read()).Count);

        await _s.SetRetention(TimeSpan.FromHours(2));
        Assert.Equal([$"{now - (Hour * 3 / 2)}|a|2", $"{now - (Hour / 2)}|a|3", $"{now - (Hour * 3 / 2)}|b|5", $"{now - (Hour / 2)}|b|6"], await _s.Read());
        // A projection without time still loses the expired rows (exactly: a caller's own start only prunes); the window moves with the clock.
        Assert.Equal(["2", "3", "5", "6"], (await _s.Scan(new ScanRequest("db", "t") { Columns = ["v"] })).Select(r => r.Row.Split('|')[^1]).Order().ToList());
        _s.Time.Now += TimeSpan.FromHours(1);
        Assert.Equal(["3", "6"], (await _s.Scan(new ScanRequest("db", "t") { Columns = ["v"] })).Select(r => r.Row.Split('|')[^1]).Order().ToList());
        // Nothing was removed from storage: clearing the retention shows every row again.
        await _s.SetRetention(null);
        Assert.Equal(6, (await _s.Read()).Count);
    }

    [Fact]
    public async Task A_table_retention_overrides_the_database_retention_for_that_table_only()
    {
        var now = 2 * 24 * Hour;
        await _s.Write($"t v=1 {now - (3 * Hour)}\nt v=2 {now - (Hour / 2)}\nu v=3 {now - (3 * Hour)}\nu v=4 {now - (Hour / 2)}\nw v=5 {now - (3 * Hour)}");
        // Database 2h; t has 1h of its own (shorter), w has 1d (longer); u follows the database.
        await _s.SetRetention(TimeSpan.FromHours(2), "t", TimeSpan.FromHours(1));
        await _s.Catalog.UpdateAsync(e => e.SetTableRetention("db", "w", TimeSpan.FromDays(1)));
        _s.Time.Now += TimeSpan.FromMinutes(10);
        Assert.Equal([$"{now - (Hour / 2)}|2"], await _s.Read("t"));
        Assert.Equal([$"{now - (Hour / 2)}|4"], await _s.Read("u"));
        Assert.Equal([$"{now - (3 * Hour)}|5"], await _s.Read("w"));
        Assert.Equal(TimeSpan.FromHours(1), _s.Catalog.Current.FindDatabase("db")!.RetentionOf("t"));
        Assert.Equal(TimeSpan.FromHours(2), _s.Catalog.Current.FindDatabase("db")!.RetentionOf("u"));
        Assert.Equal(TimeSpan.FromHours(2), _s.Catalog.Current.FindDatabase("db")!.RetentionOf("not_yet_created"));
    }

    [Fact]
    public async Task Explain_analyze_counts_the_files_and_buffered_chunks_a_scan_read_after_pruning()
    {
        // Three day partitions of one file each, and one buffered row on the last day.
        const long Day = 24 * Hour;
        for (var d = 0; d < 3; d++)
        {
            await _s.Write($"t,h=a v={d} {(d * Day) + Hour}\nt,h=b v={d} {(d * Day) + (2 * Hour)}");
            await _s.Persist.PersistAsync();
        }
        await _s.Write($"t,h=c v=9 {(2 * Day) + (3 * Hour)}");
        var sql = new SqlEngine(new QueryExecutor(_s.Tables, _s.Time));

        async Task<string> Scan(string query)
        {
            var result = await sql.ExecuteAsync("db", "EXPLAIN ANALYZE " + query, CancellationToken.None);
            var plan = (Arrow.Arrays.StringArray)result.Batches[0].Column(1);
            var scan = plan.GetString(0)!.Split('\n').Single(l => l.TrimStart().StartsWith("ScanExec:", StringComparison.Ordinal));
            return string.Join(", ", System.Text.RegularExpressions.Regex.Matches(scan, @"chunks_\w+=\d+").Select(m => m.Value));
        }

        // One day: its one file; the other days' files are pruned by time and never opened.
        Assert.Equal("chunks_parquet=1", await Scan("SELECT count(*) FROM t WHERE time >= to_timestamp(86400) AND time < to_timestamp(172800)"));
        // Everything: every file and the buffer, through the aggregate's fused scan and a plain scan alike.
        Assert.Equal("chunks_buffer=1, chunks_parquet=3", await Scan("SELECT count(*) FROM t"));
        Assert.Equal("chunks_buffer=1, chunks_parquet=3", await Scan("SELECT h, v FROM t ORDER BY time"));
        // A tag outside every file's tag range leaves only the buffered chunk.
        Assert.Equal("chunks_buffer=1", await Scan("SELECT v FROM t WHERE h = 'c'"));
    }
}
#pragma warning restore CA1001
