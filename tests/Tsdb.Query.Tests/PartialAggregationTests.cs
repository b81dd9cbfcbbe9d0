using Tsdb.Query.Sql;
using System.Globalization;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Tests;

/// <summary>
/// Grouping a table's scan batch by batch (partial states combined at the end) must answer exactly as grouping all
/// rows at once. The reference is the same statement over a CTE of the table, which is materialised first and so
/// takes the all-at-once path.
/// </summary>
public sealed class PartialAggregationTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S;

    private readonly SqlEngine _engine;
    private readonly MemoryTableSource _source = new();

    public PartialAggregationTests()
    {
        // Nine batches, each with its own dictionary order, nulls in every column but time, and a batch that WHERE
        // empties for most queries.
        var random = new Random(42);
        var batches = new List<RecordBatch>();
        for (var b = 0; b < 9; b++)
        {
            var rows = Enumerable.Range(0, 40 + random.Next(60)).Select(i =>
            (
                random.Next(8) == 0 ? null : (string?)$"h{random.Next(5)}",
                T0 + (((b * 100) + i) * 30 * S),
                random.Next(6) == 0 ? null : (double?)Math.Round(random.NextDouble() * 100, 3),
                random.Next(5) == 0 ? null : (long?)random.Next(-50, 1000)
            )).ToArray();
            batches.Add(MemoryTableSource.Cpu(rows));
        }
        batches.Add(MemoryTableSource.Cpu((null, T0 + (10_000 * S), null, null)));
        _source.Add("cpu", MemoryTableSource.CpuSchema, [.. batches]);
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
        _sliced = new SqlEngine(new QueryExecutor(_source, TimeProvider.System, new QueryEngineOptions { MorselRows = 7 }));
    }

    /// <summary>The same engine cutting every stored batch into slices of 7 rows (views at an offset) in its fused scans.</summary>
    private readonly SqlEngine _sliced;

    public static TheoryData<string> Statements() =>
    [
        "SELECT host, count(*), count(usage), sum(n), min(usage), max(n), avg(usage) FROM {0} GROUP BY host ORDER BY host",
        "SELECT date_bin(INTERVAL '10 minutes', time) AS bucket, host, avg(n), max(usage) FROM {0} WHERE usage > 20 GROUP BY 1, 2 ORDER BY 1, 2",
        "SELECT count(*), sum(usage), avg(n), min(host), max(time) FROM {0}",
        "SELECT count(*), sum(n), avg(usage) FROM {0} WHERE n > 5000",
        "SELECT host, sum(n) AS total FROM {0} GROUP BY host HAVING sum(n) > 2000 AND count(*) > 3 ORDER BY total DESC",
        "SELECT n % 3 AS r, count(DISTINCT host), sum(usage) FROM {0} GROUP BY n % 3 ORDER BY r NULLS FIRST",
        "SELECT host, max(usage) - min(usage) AS spread, avg(usage) * 2 FROM {0} WHERE time < '2016-01-01T04:00:00Z' GROUP BY host ORDER BY spread DESC NULLS LAST, host LIMIT 3",
        "SELECT host FROM {0} GROUP BY host ORDER BY host",
        "SELECT mean(usage), count(1) FROM {0} WHERE host = 'h2'",
        "SELECT host, count(*) FROM {0} WHERE host = 'nobody' GROUP BY host",
        "SELECT host, stddev(usage), variance(n), var_pop(usage), stddev_pop(n) FROM {0} GROUP BY host ORDER BY host",
        "SELECT date_bin(INTERVAL '1 hour', time) AS h, stddev(n) FROM {0} WHERE host = 'h1' GROUP BY 1 ORDER BY 1",
        "SELECT host, selector_last(usage, time)['value'], selector_last(usage, time)['time'], selector_first(n, time)['value'] FROM {0} GROUP BY host ORDER BY host",
        "SELECT host, selector_max(n, time)['time'], selector_min(usage, time)['value'], selector_min(usage, time)['time'] FROM {0} GROUP BY host ORDER BY host",
        "SELECT host, first_value(usage ORDER BY time), last_value(n ORDER BY time), last_value(usage ORDER BY n DESC NULLS LAST, time) FROM {0} GROUP BY host ORDER BY host",
        "SELECT first_value(host ORDER BY usage), last_value(time ORDER BY n), count(*) FROM {0} WHERE usage > 50",
    ];

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task Batch_by_batch_grouping_answers_as_grouping_all_rows(string statement)
    {
        var direct = await Rows(string.Format(CultureInfo.InvariantCulture, statement, "cpu"));
        var reference = await Rows("WITH t AS (SELECT * FROM cpu) " + string.Format(CultureInfo.InvariantCulture, statement, "t"));
        Assert.Equal(reference, direct);
    }

    [Theory]
    [MemberData(nameof(Statements))]
    [InlineData("SELECT DISTINCT ON (host) host, time, usage FROM {0} ORDER BY host, time DESC")]
    [InlineData("SELECT DISTINCT ON (host) host, n, usage FROM {0} WHERE usage > 10 ORDER BY host, n NULLS FIRST, time")]
    [InlineData("SELECT host, count(*) FROM {0} WHERE host LIKE 'h%' OR n IS NULL GROUP BY host ORDER BY host NULLS FIRST")]
    public async Task Slicing_stored_batches_answers_as_reading_them_whole(string statement)
    {
        var sql = string.Format(CultureInfo.InvariantCulture, statement, "cpu");
        Assert.Equal(await Rows(sql), await Rows(sql, _sliced));
    }

    [Fact]
    public async Task Errors_inside_an_aggregate_keep_their_position()
    {
        var error = await Assert.ThrowsAsync<QueryException>(() => _engine.ExecuteAsync("db", "SELECT host, avg(host) FROM cpu GROUP BY host", CancellationToken.None));
        Assert.StartsWith("line 1, column 18:", error.Message, StringComparison.Ordinal);   // at the argument
        Assert.Contains("numeric", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Rows as text; floats to 9 significant digits, since partial sums add in a different order.</summary>
    private async Task<List<string>> Rows(string sql, SqlEngine? engine = null)
    {
        var result = await (engine ?? _engine).ExecuteAsync("db", sql, CancellationToken.None);
        var rows = new List<string>();
        foreach (var batch in result.Batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : c.GetObject(r) is double d ? d.ToString("G9", CultureInfo.InvariantCulture) : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))));
            }
        }
        return rows;
    }
}
