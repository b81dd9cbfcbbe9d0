using System.Globalization;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Tests;

public sealed class QueryEngineTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S; // 2016-01-01T00:00:00Z

    private readonly MemoryTableSource _source = new();
    private readonly QueryEngine _engine;

    public QueryEngineTests()
    {
        // Two partitions with different dictionaries, so concatenation and dictionary handling are exercised.
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 10.0, 1), ("b", T0, 20.0, 2), ("a", T0 + (60 * S), null, 3)),
            MemoryTableSource.Cpu(("b", T0 + (60 * S), 40.0, null), ("c", T0 + (120 * S) + 1, 50.0, 5), (null, T0 + (180 * S), 60.0, 6)));
        _engine = new QueryEngine(_source, new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_451_606_400 + 3600)));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The result as text rows: "v1|v2|…", NULL for nulls, timestamps as formatted.</summary>
    private async Task<List<string>> Rows(string sql)
    {
        var result = await _engine.ExecuteAsync("db", sql, CancellationToken.None);
        var rows = new List<string>();
        foreach (var batch in result.Batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => Text(c, r))));
            }
        }
        return rows;
    }

    private static string Text(ArrowArray column, int row) => column.IsNull(row)
        ? "NULL"
        : column is TimestampArray t ? TimestampText.Format(t.GetValue(row)) : Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture)!;

    private async Task<string> Error(string sql) =>
        (await Assert.ThrowsAsync<QueryException>(() => _engine.ExecuteAsync("db", sql, CancellationToken.None))).Message;

    [Fact]
    public async Task Projection_with_aliases_arithmetic_and_order()
    {
        Assert.Equal(["b|80", "b|40", "a|20"],
            await Rows("SELECT host, usage * 2 AS twice FROM cpu WHERE host IN ('a', 'b') ORDER BY twice DESC NULLS LAST, host LIMIT 3"));
    }

    [Fact]
    public async Task Star_expands_in_schema_order()
    {
        var result = await _engine.ExecuteAsync("db", "SELECT * FROM cpu LIMIT 1", CancellationToken.None);
        Assert.Equal(["host", "time", "usage", "n"], result.Schema.Fields.Select(f => f.Name));
    }

    [Theory]
    [InlineData("SELECT n FROM cpu WHERE usage > 15 AND usage <= 50 ORDER BY n", "2,5")]                  // row b@60 (usage 40) has a NULL n
    [InlineData("SELECT n FROM cpu WHERE NOT (usage < 50) ORDER BY n", "5,6")]
    [InlineData("SELECT n FROM cpu WHERE usage IS NULL", "3")]
    [InlineData("SELECT n FROM cpu WHERE n IS NOT NULL AND usage BETWEEN 10 AND 20 ORDER BY 1", "1,2")]
    [InlineData("SELECT n FROM cpu WHERE host LIKE 'a%' OR host = 'c' ORDER BY n", "1,3,5")]
    [InlineData("SELECT n FROM cpu WHERE host NOT IN ('a', 'b') ORDER BY n", "5")]
    [InlineData("SELECT n FROM cpu WHERE n % 2 = 0 ORDER BY n DESC", "6,2")]
    [InlineData("SELECT n FROM cpu WHERE time >= '2016-01-01T00:02:00.000000001Z' ORDER BY n", "5,6")]
    [InlineData("SELECT n FROM cpu WHERE time < now() - INTERVAL '58 minutes' ORDER BY n", "1,2,3")]
    public async Task Where(string sql, string expected)
    {
        Assert.Equal(expected, string.Join(',', (await Rows(sql)).Where(r => r != "NULL")));
    }

    [Fact]
    public async Task Null_comparisons_are_not_true()
    {
        // usage = NULL is null for every row; NOT of null is null: nothing passes either way.
        Assert.Empty(await Rows("SELECT n FROM cpu WHERE usage = NULL"));
        Assert.Empty(await Rows("SELECT n FROM cpu WHERE NOT (usage = NULL)"));
        Assert.Equal(["3"], await Rows("SELECT count(*) AS c FROM cpu WHERE host <> 'a'"));   // the null host is excluded
    }

    [Fact]
    public async Task Time_range_goes_to_the_scan()
    {
        await Rows("SELECT n FROM cpu WHERE time >= '2016-01-01T00:01:00Z' AND time < '2016-01-01T00:03:00Z' AND usage > 0");
        Assert.Equal((T0 + (60 * S), T0 + (180 * S) - 1), _source.LastRange);
        await Rows("SELECT n FROM cpu WHERE time BETWEEN '2016-01-01T00:00:00Z' AND '2016-01-01T00:01:00Z' OR n = 1");
        Assert.Equal((null, null), _source.LastRange);
    }

    [Fact]
    public async Task Group_by_with_aggregates_and_null_semantics()
    {
        Assert.Equal(["NULL|1|1|60|60|60|60", "a|2|1|10|10|10|10", "b|2|2|60|30|20|40", "c|1|1|50|50|50|50"],
            await Rows("SELECT host, count(*) AS c, count(usage) AS cu, sum(usage) AS s, avg(usage) AS a, min(usage) AS lo, max(usage) AS hi FROM cpu GROUP BY host ORDER BY host NULLS FIRST"));
    }

    [Fact]
    public async Task Global_aggregate_over_no_rows_gives_one_row()
    {
        Assert.Equal(["0|NULL|NULL"], await Rows("SELECT count(*) AS c, sum(n) AS s, max(time) AS t FROM cpu WHERE host = 'zzz'"));
    }

    [Fact]
    public async Task Group_by_date_bin_ordinal_and_having()
    {
        Assert.Equal(["2016-01-01T00:00:00|4", "2016-01-01T00:02:00|2"],
            await Rows("SELECT date_bin(INTERVAL '2 minutes', time) AS b, count(*) AS c FROM cpu GROUP BY 1 HAVING count(*) > 1 ORDER BY b"));
        Assert.Equal(["2016-01-01T00:02:00.000000001|c"],
            await Rows("SELECT max(time) AS t, host FROM cpu GROUP BY host HAVING max(n) = 5"));
    }

    [Fact]
    public async Task Order_by_ordinal_alias_and_nulls()
    {
        Assert.Equal(["NULL", "6", "5", "3", "2", "1"], await Rows("SELECT n FROM cpu ORDER BY 1 DESC"));
        Assert.Equal(["1", "2", "3", "5", "6", "NULL"], await Rows("SELECT n AS m FROM cpu ORDER BY m"));
        Assert.Equal(["NULL", "1"], await Rows("SELECT n FROM cpu ORDER BY n ASC NULLS FIRST LIMIT 2"));
        Assert.Equal(["3", "5"], await Rows("SELECT n FROM cpu ORDER BY n LIMIT 2 OFFSET 2"));
    }

    [Fact]
    public async Task Distinct_and_distinct_on()
    {
        Assert.Equal(["NULL", "a", "b", "c"], await Rows("SELECT DISTINCT host FROM cpu ORDER BY host NULLS FIRST"));
        Assert.Equal(["a|3", "b|NULL"], await Rows("SELECT DISTINCT ON (host) host, n FROM cpu WHERE host IN ('a', 'b') ORDER BY host, time DESC"));
    }

    [Fact]
    public async Task Show_tables_and_columns()
    {
        Assert.Equal(["public|iox|cpu|BASE TABLE"], await Rows("SHOW TABLES"));
        Assert.Equal("time|Timestamp(Nanosecond, None)", string.Join('|', (await Rows("SHOW COLUMNS FROM cpu"))[1].Split('|')[3..5]));
    }

    [Theory]
    [InlineData("SELECT usage_user FROM cpu", "line 1, column 8: unknown column 'usage_user'")]
    [InlineData("SELECT n FROM mem", "line 1, column 15: unknown table 'mem'")]
    [InlineData("SELECT n FROM cpu a JOIN cpu b ON a.n = b.n", "line 1, column 15: JOIN is not supported yet")]
    [InlineData("SELECT host, n FROM cpu GROUP BY host", "line 1, column 14: column 'n' must appear in the GROUP BY clause or be used in an aggregate function")]
    [InlineData("SELECT n FROM cpu WHERE time > 'yesterday'", "line 1, column 25: cannot compare time with 'yesterday': not an RFC 3339 timestamp")]
    [InlineData("SELECT n FROM cpu WHERE host = 1", "line 1, column 25: cannot compare a string with a number")]
    [InlineData("SELECT n FROM cpu WHERE max(n) > 1", "line 1, column 25: aggregate function 'max' is not allowed here")]
    [InlineData("SELECT frob(n) FROM cpu", "line 1, column 8: unknown function 'frob'")]
    [InlineData("SELECT n FROM cpu ORDER BY 3", "line 1, column 28: ORDER BY position 3 is not in the select list")]
    [InlineData("SELECT n FROM", "line 1, column 14: expected a table name, found end of input")]
    [InlineData("SELECT n FROM cpu\nWHERE nope = 1", "line 2, column 7: unknown column 'nope'")]
    public async Task Errors_carry_positions(string sql, string message)
    {
        Assert.Equal(message, await Error(sql));
    }
}
