using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Query.Plans;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

public sealed class WindowFunctionTests
{
    private const long S = 1_000_000_000L;
    private const long M = 60 * S;
    private static readonly long T0 = 1_451_606_400L * S; // 2016-01-01T00:00:00Z

    private readonly MemoryTableSource _source = new();
    private readonly SqlEngine _engine;

    public WindowFunctionTests()
    {
        // Partitions spread over three batches with different dictionaries; ties in usage, nulls in usage and host.
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 10.0, 1), ("b", T0, 20.0, 2), ("a", T0 + M, null, 3), ("c", T0, 5.0, 4)),
            MemoryTableSource.Cpu(("a", T0 + (2 * M), 10.0, 5), ("b", T0 + M, 20.0, 6), ("b", T0 + (2 * M), 30.0, 7), (null, T0, 1.0, 8)),
            MemoryTableSource.Cpu(("a", T0 + (3 * M), 40.0, 9), ("c", T0 + M, null, 10)));
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
    }

    private static async Task<List<string>> Rows(SqlEngine engine, string sql)
    {
        var result = await engine.ExecuteAsync("db", sql, CancellationToken.None);
        var rows = new List<string>();
        foreach (var batch in result.Batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))));
            }
        }
        return rows;
    }

    private Task<List<string>> Rows(string sql) => Rows(_engine, sql);

    private async Task<string> Error(string sql) =>
        (await Assert.ThrowsAsync<QueryException>(() => _engine.ExecuteAsync("db", sql, CancellationToken.None))).Message;

    [Fact]
    public async Task Ranking_with_ties_and_nulls()
    {
        Assert.Equal(
            ["a|1|1|1|1", "b|2|1|1|1", "a|3|2|4|3", "c|4|1|1|1", "a|5|3|1|1", "b|6|2|1|1", "b|7|3|3|2", "NULL|8|1|1|1", "a|9|4|3|2", "c|10|2|2|2"],
            await Rows("SELECT host, n, row_number() OVER (PARTITION BY host ORDER BY time) AS rn, rank() OVER (PARTITION BY host ORDER BY usage) AS r, "
                + "dense_rank() OVER (PARTITION BY host ORDER BY usage) AS dr FROM cpu ORDER BY n"));
    }

    [Fact]
    public async Task Lag_and_lead_with_offsets_and_defaults()
    {
        Assert.Equal(
            ["1|NULL|5|0.5", "2|NULL|7|0.5", "3|10|9|10", "5|NULL|-1|NULL", "6|20|-1|20", "7|20|-1|20", "9|10|-1|10"],
            await Rows("SELECT n, lag(usage) OVER (PARTITION BY host ORDER BY time), lead(n, 2, -1) OVER (PARTITION BY host ORDER BY time), "
                + "lag(usage, 1, 0.5) OVER (PARTITION BY host ORDER BY time) FROM cpu WHERE host IN ('a', 'b') ORDER BY n"));
    }

    [Fact]
    public async Task Running_and_moving_aggregates()
    {
        // The default frame with ORDER BY takes the current row's peers in; ROWS does not.
        Assert.Equal(
            ["1|20|10|2|10", "2|40|20|2|20", "3|60|60|3|10", "5|20|20|2|10", "6|40|40|2|20", "7|70|70|3|25", "9|60|60|3|25"],
            await Rows("SELECT n, sum(usage) OVER (PARTITION BY host ORDER BY usage) AS peers, "
                + "sum(usage) OVER (PARTITION BY host ORDER BY usage, n ROWS UNBOUNDED PRECEDING) AS rows_sum, "
                + "count(usage) OVER (PARTITION BY host ORDER BY usage) AS c, "
                + "avg(usage) OVER (PARTITION BY host ORDER BY time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS mov "
                + "FROM cpu WHERE host IN ('a', 'b') ORDER BY n"));
    }

    [Fact]
    public async Task Whole_partition_aggregates_without_order()
    {
        Assert.Equal(
            ["NULL|1|1|a|c", "a|4|40|a|c", "b|3|30|a|c", "c|2|5|a|c"],
            await Rows("SELECT DISTINCT host, count(*) OVER (PARTITION BY host) AS c, max(usage) OVER (PARTITION BY host) AS mx, "
                + "min(host) OVER () AS lo, max(host) OVER () AS hi FROM cpu ORDER BY host NULLS FIRST"));
    }

    [Fact]
    public async Task First_and_last_value_follow_the_frame()
    {
        Assert.Equal(
            ["1|1|5|3|5", "3|1|3|3|NULL", "5|1|5|3|9", "9|1|9|3|3"],
            await Rows("SELECT n, first_value(n) OVER (PARTITION BY host ORDER BY usage) AS f, last_value(n) OVER (PARTITION BY host ORDER BY usage) AS l, "
                + "last_value(n) OVER (PARTITION BY host ORDER BY usage ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS lw, "
                + "first_value(n) OVER (PARTITION BY host ORDER BY usage ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING) AS nx "
                + "FROM cpu WHERE host = 'a' ORDER BY n"));
    }

    [Fact]
    public async Task Windows_over_aggregated_rows()
    {
        Assert.Equal(
            ["a|4|4|1", "b|3|7|2", "c|2|9|3"],
            await Rows("SELECT host, count(*) AS c, sum(count(*)) OVER (ORDER BY host) AS running, rank() OVER (ORDER BY count(*) DESC) AS r "
                + "FROM cpu WHERE host IS NOT NULL GROUP BY host ORDER BY host"));
    }

    [Fact]
    public async Task Window_calls_in_order_by_and_expressions()
    {
        Assert.Equal(["7", "6", "2"], await Rows("SELECT n FROM cpu WHERE host = 'b' ORDER BY row_number() OVER (ORDER BY time DESC)"));
        Assert.Equal(["2|NULL", "6|0", "7|10"], await Rows("SELECT n, usage - lag(usage) OVER (PARTITION BY host ORDER BY time) AS delta FROM cpu WHERE host = 'b' ORDER BY time"));
        // A scalar subquery in the select list joins onto the window's output.
        Assert.Equal(["2|9", "6|8", "7|7"], await Rows("SELECT n, (SELECT max(n) FROM cpu) - row_number() OVER (ORDER BY n) AS x FROM cpu WHERE host = 'b' ORDER BY n"));
    }

    [Fact]
    public async Task Output_names_are_the_alias_or_datafusions_window_name()
    {
        var result = await _engine.ExecuteAsync("db", "SELECT row_number() over (order by time) AS rn, lag(n) over (partition by host order by time) FROM cpu", CancellationToken.None);
        Assert.Equal(["rn", "lag(cpu.n) PARTITION BY [cpu.host] ORDER BY [cpu.time ASC NULLS LAST] RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"], result.Schema.Fields.Select(f => f.Name));
    }

    [Theory]
    [InlineData("SELECT n FROM cpu WHERE row_number() OVER () > 1", "line 1, column 25: window functions are not allowed in WHERE")]
    [InlineData("SELECT count(*) FROM cpu GROUP BY rank() OVER ()", "line 1, column 35: window functions are not allowed in GROUP BY")]
    [InlineData("SELECT host FROM cpu GROUP BY host HAVING count(*) OVER () > 1", "line 1, column 43: window functions are not allowed in HAVING")]
    [InlineData("SELECT sum(row_number() OVER ()) OVER () FROM cpu", "line 1, column 12: window function calls cannot be nested")]
    [InlineData("SELECT sum(row_number() OVER ()) FROM cpu", "line 1, column 12: window functions are not allowed here (only in a SELECT's select list and ORDER BY)")]
    [InlineData("SELECT sum(n) OVER (ORDER BY time RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM cpu", "line 1, column 49: RANGE frames with an offset are not supported yet (use ROWS BETWEEN n PRECEDING AND …)")]
    [InlineData("SELECT sum(n) OVER (ORDER BY time GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM cpu", "line 1, column 35: GROUPS frames are not supported yet (use ROWS or RANGE)")]
    [InlineData("SELECT sum(n) OVER (ORDER BY time ROWS BETWEEN n PRECEDING AND CURRENT ROW) FROM cpu", "line 1, column 48: a frame offset must be a non-negative integer")]
    [InlineData("SELECT ntile(2) OVER () FROM cpu", "line 1, column 8: 'ntile' is not a supported window function (row_number, rank, dense_rank, lag, lead, first_value, last_value, count, sum, avg, min, max)")]
    [InlineData("SELECT lag(n, n) OVER () FROM cpu", "line 1, column 15: the offset of lag must be a constant integer")]
    [InlineData("SELECT sum(host) OVER () FROM cpu", "line 1, column 12: sum needs a numeric argument, found a string")]
    [InlineData("SELECT count(DISTINCT n) OVER () FROM cpu", "line 1, column 8: DISTINCT is not supported in window functions yet")]
    [InlineData("SELECT row_number(n) OVER () FROM cpu", "line 1, column 19: row_number takes no arguments")]
    [InlineData("SELECT sum(n) OVER (ORDER BY nope) FROM cpu", "line 1, column 30: unknown column 'nope'")]
    [InlineData("SELECT sum(n) OVER (ORDER BY (SELECT 1)) FROM cpu", "line 1, column 30: a scalar subquery is not supported here")]
    [InlineData("SELECT n FROM cpu UNION ALL SELECT n FROM cpu ORDER BY rank() OVER ()", "line 1, column 56: window functions are not allowed here (only in a SELECT's select list and ORDER BY)")]
    public async Task Errors_are_positioned(string sql, string? expected)
    {
        var message = await Error(sql);
        if (expected is not null)
        {
            Assert.Equal(expected, message);
        }
    }

    [Fact]
    public void Pruning_reads_only_the_columns_windows_use()
    {
        var plan = _engine.Plan("db", "SELECT n, row_number() OVER (ORDER BY time) FROM cpu", null);
        var scan = Scans(plan).Single();
        Assert.Equal(["time", "n"], scan.Schema.Fields.Select(f => f.Name));

        // A window column nobody reads is dropped with the window.
        plan = _engine.Plan("db", "SELECT n FROM (SELECT n, lag(usage) OVER (PARTITION BY host ORDER BY time) AS l FROM cpu) s", null);
        Assert.DoesNotContain("Window", plan.Display(), StringComparison.Ordinal);
        Assert.Equal(["n"], Scans(plan).Single().Schema.Fields.Select(f => f.Name));
    }

    private static IEnumerable<ScanPlan> Scans(LogicalPlan plan)
    {
        if (plan is ScanPlan s)
        {
            yield return s;
        }
        foreach (var input in plan.Inputs)
        {
            foreach (var d in Scans(input))
            {
                yield return d;
            }
        }
    }

    /// <summary>
    /// Thousands of rows over many batches, partitions crossing batch boundaries and a memory limit that makes the sort
    /// spill (small partitions, so the one in progress fits next to the sort's in-memory tail): the answers match a
    /// direct computation.
    /// </summary>
    [Fact]
    public async Task Many_rows_with_a_spilling_sort_match_a_direct_computation()
    {
        var random = new Random(7);
        var source = new MemoryTableSource();
        var rows = new List<(string Host, long Time, double? Usage, long N)>();
        var batches = new List<RecordBatch>();
        for (var b = 0; b < 40; b++)
        {
            var batch = new List<(string?, long, double?, long?)>();
            for (var i = 0; i < 500; i++)
            {
                var n = rows.Count;
                var row = ($"h{random.Next(100)}", T0 + (n * S), random.Next(10) == 0 ? (double?)null : random.Next(100), (long)n);
                rows.Add(row);
                batch.Add(row);
            }
            batches.Add(MemoryTableSource.Cpu([.. batch]));
        }
        source.Add("cpu", MemoryTableSource.CpuSchema, [.. batches]);
        var spill = Path.Combine(Path.GetTempPath(), "tsdb-window-test-" + Guid.NewGuid().ToString("N"));
        var engine = new SqlEngine(new QueryExecutor(source, TimeProvider.System, new QueryEngineOptions { MaxQueryMemoryBytes = 2 << 20, SpillDirectory = spill }));
        try
        {
            const string Sql = "SELECT n, row_number() OVER (PARTITION BY host ORDER BY time) AS rn, lag(n, 2) OVER (PARTITION BY host ORDER BY time), "
                + "sum(usage) OVER (PARTITION BY host ORDER BY time ROWS BETWEEN 3 PRECEDING AND CURRENT ROW), count(*) OVER (PARTITION BY host), "
                + "max(usage) OVER (PARTITION BY host ORDER BY time) FROM cpu";
            var actual = await Rows(engine, Sql);
            // No ORDER BY on top: a second sort would compete with the window's for the small budget.
            actual = [.. actual.OrderBy(r => long.Parse(r.Split('|')[0], CultureInfo.InvariantCulture))];
            var expected = new List<string>();
            var byHost = rows.GroupBy(x => x.Host).ToDictionary(g => g.Key, g => g.OrderBy(x => x.Time).ToList());
            foreach (var r in rows)
            {
                var mine = byHost[r.Host];
                var at = mine.FindIndex(x => x.N == r.N);
                var window = mine.Skip(Math.Max(0, at - 3)).Take(Math.Min(4, at + 1)).Where(x => x.Usage is not null).ToList();
                var running = mine.Take(at + 1).Where(x => x.Usage is not null).ToList();
                expected.Add(string.Join('|',
                    r.N,
                    at + 1,
                    at >= 2 ? mine[at - 2].N.ToString(CultureInfo.InvariantCulture) : "NULL",
                    window.Count == 0 ? "NULL" : window.Sum(x => x.Usage!.Value).ToString(CultureInfo.InvariantCulture),
                    mine.Count,
                    running.Count == 0 ? "NULL" : running.Max(x => x.Usage!.Value).ToString(CultureInfo.InvariantCulture)));
            }
            Assert.Equal(expected, actual);
            var analyzed = await Rows(engine, "EXPLAIN ANALYZE " + Sql);
            var lines = string.Join('\n', analyzed).Split('\n');
            Assert.True(lines.Any(line => line.Contains("WindowExec", StringComparison.Ordinal) && line.Contains("spills=", StringComparison.Ordinal)), string.Join('\n', lines));
        }
        finally
        {
            if (Directory.Exists(spill))
            {
                Directory.Delete(spill, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Flat_or_and_and_chains_of_ten_thousand_terms_plan_and_run()
    {
        var or = string.Join(" OR ", Enumerable.Range(0, 10_000).Select(i => $"host = 'h{i}'")) + " OR host = 'a'";
        Assert.Equal(["4"], await Rows($"SELECT count(*) FROM cpu WHERE {or}"));
        var and = string.Join(" AND ", Enumerable.Range(0, 10_000).Select(i => $"n > {-i}"));
        Assert.Equal(["10"], await Rows($"SELECT count(*) FROM cpu WHERE {and}"));
        // In the select list (its printed form names the column), HAVING and inside an aggregate's argument.
        Assert.Equal(["a|4|4", "b|3|0"], await Rows($"SELECT host, count(*), sum(CASE WHEN {or} THEN 1 ELSE 0 END) FROM cpu GROUP BY host HAVING {or.Replace("'a'", "'b'", StringComparison.Ordinal)} OR host = 'a' ORDER BY host"));
        Assert.Equal(["4"], await Rows($"SELECT count(*) FROM cpu WHERE ({or}) IS TRUE OR ({or})".Replace(" IS TRUE OR", " OR", StringComparison.Ordinal)));
        var nested = "SELECT count(*) FROM cpu WHERE " + new string('(', 250) + "host = 'a'" + new string(')', 250);
        Assert.EndsWith("expression nested too deeply", await Error(nested), StringComparison.Ordinal);
    }
}
