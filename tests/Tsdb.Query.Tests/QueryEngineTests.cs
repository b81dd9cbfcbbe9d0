using Tsdb.Query.Sql;
using System.Globalization;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Tests;

public sealed class QueryEngineTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S; // 2016-01-01T00:00:00Z

    private readonly MemoryTableSource _source = new();
    private readonly SqlEngine _engine;

    public QueryEngineTests()
    {
        // Two partitions with different dictionaries, so concatenation and dictionary handling are exercised.
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 10.0, 1), ("b", T0, 20.0, 2), ("a", T0 + (60 * S), null, 3)),
            MemoryTableSource.Cpu(("b", T0 + (60 * S), 40.0, null), ("c", T0 + (120 * S) + 1, 50.0, 5), (null, T0 + (180 * S), 60.0, 6)));
        _engine = new SqlEngine(new QueryExecutor(_source, new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_451_606_400 + 3600))));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The result as text rows: "v1|v2|…", NULL for nulls, timestamps as formatted.</summary>
    private async Task<List<string>> Rows(string sql, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var result = await _engine.ExecuteAsync("db", sql, parameters, CancellationToken.None);
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
    public async Task Named_columns_and_tag_values_go_to_the_scan()
    {
        await Rows("SELECT max(usage) FROM cpu WHERE host = 'a' AND time > '2015-01-01T00:00:00Z'");
        Assert.Equal(["host", "time", "usage"], _source.LastRequest!.Columns);
        Assert.Equal(["a"], _source.LastRequest.TagValues["host"]);

        // Two terms on one tag intersect; a parameter counts as a constant.
        await Rows("SELECT n FROM cpu WHERE host IN ('a', 'b') AND $h = host", new Dictionary<string, object?> { ["h"] = "b" });
        Assert.Equal(["host", "n"], _source.LastRequest!.Columns);
        Assert.Equal(["b"], _source.LastRequest.TagValues["host"]);

        // An OR of equalities and IN lists on one tag allows their union (as InfluxQL and Grafana write them).
        Assert.Equal(["4"], await Rows("SELECT count(*) AS c FROM cpu WHERE host = 'a' OR (host IN ('b', 'a') OR 'zz' = host)"));
        Assert.Equal(["a", "b", "zz"], _source.LastRequest!.TagValues["host"]);
        Assert.Equal(["host"], _source.LastRequest.Columns);

        // ORs with other terms, NOT IN and comparisons with fields prune nothing; count(*) reads only
        // what WHERE needs (time when nothing).
        await Rows("SELECT count(*) FROM cpu WHERE host = 'a' OR usage > 1");
        Assert.Empty(_source.LastRequest!.TagValues);
        await Rows("SELECT count(*) FROM cpu WHERE host = 'a' OR host IS NULL");
        Assert.Empty(_source.LastRequest!.TagValues);
        await Rows("SELECT count(*) FROM cpu WHERE host NOT IN ('a')");
        Assert.Empty(_source.LastRequest!.TagValues);
        await Rows("SELECT count(*) AS c FROM cpu");
        Assert.Equal(["time"], _source.LastRequest!.Columns);

        // A star selecting columns reads them all; one that multiplies does not.
        await Rows("SELECT * FROM cpu WHERE host = 'a'");
        Assert.Equal(["host", "time", "usage", "n"], _source.LastRequest!.Columns);
        await Rows("SELECT c.* FROM cpu AS c");
        Assert.Equal(4, _source.LastRequest!.Columns!.Count);
        await Rows("SELECT n * 2 FROM cpu");
        Assert.Equal(["n"], _source.LastRequest!.Columns);
    }

    [Fact]
    public async Task Limit_without_order_stops_the_scan_and_order_by_limit_keeps_top_rows_per_batch()
    {
        _source.BatchesRead = 0;
        Assert.Equal(2, (await Rows("SELECT n FROM cpu LIMIT 2")).Count);
        Assert.Equal(1, _source.BatchesRead);   // the first batch had enough rows
        _source.BatchesRead = 0;
        Assert.Single(await Rows("SELECT n FROM cpu WHERE host = 'c' LIMIT 1"));
        Assert.Equal(2, _source.BatchesRead);   // 'c' is only in the second batch

        // Top rows over two batches, by expression, alias, ordinal and with OFFSET, ties kept in scan order.
        Assert.Equal(["c|50", "b|40"], await Rows("SELECT host, usage FROM cpu WHERE usage < 60 ORDER BY usage DESC LIMIT 2"));
        Assert.Equal(["b|40", "b|80"], await Rows("SELECT host, usage * 2 AS u FROM cpu ORDER BY u LIMIT 2 OFFSET 1"));
        Assert.Equal(["c", "a"], (await Rows("SELECT host, time FROM cpu WHERE host IS NOT NULL ORDER BY 2 DESC, 1 LIMIT 2 OFFSET 0")).Select(r => r.Split('|')[0]));
        Assert.Equal(["a", "b"], await Rows("SELECT host FROM cpu ORDER BY time, host LIMIT 2"));
        Assert.Equal(["NULL|6", "c|5"], await Rows("SELECT host, n FROM cpu ORDER BY n DESC NULLS LAST LIMIT 2"));

        // DISTINCT ON keeps each batch's first row per key before the final pass (a's rows are in both batches).
        Assert.Equal(["a|3", "b|NULL", "c|5", "NULL|6"], await Rows("SELECT DISTINCT ON (host) host, n FROM cpu ORDER BY host, time DESC"));
        Assert.Equal(["a|1", "b|2"], await Rows("SELECT DISTINCT ON (host) host AS h, n FROM cpu ORDER BY h, time LIMIT 2"));
        Assert.Equal(["a|3", "b|2", "c|5", "NULL|6"], await Rows("SELECT DISTINCT ON (host) host, n FROM cpu WHERE n > 1 ORDER BY host, n LIMIT 5 OFFSET 0"));
    }

    [Fact]
    public async Task Answers_do_not_depend_on_the_pushdown()
    {
        // The memory source ignores the request and returns every row: the engine must still filter exactly.
        Assert.Equal(["a|1"], await Rows("SELECT host, n FROM cpu WHERE host = 'a' AND n = 1"));
        Assert.Equal(["2"], await Rows("SELECT count(*) FROM cpu WHERE host IN ('a', 'b') AND host = 'a'"));
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
    public async Task Select_without_from_is_one_row()
    {
        Assert.Equal(["1"], await Rows("SELECT 1"));
        Assert.Equal(["3|x|True"], await Rows("SELECT 1 + 2 AS three, 'x', 2 > 1"));
        Assert.Empty(await Rows("SELECT 1 WHERE 1 = 2"));
        Assert.Equal(["2", "1"], await Rows("SELECT 1 AS a UNION ALL SELECT 2 ORDER BY a DESC"));
        var result = await _engine.ExecuteAsync("db", "SELECT 1 AS ok, now() AS t", CancellationToken.None);
        Assert.Equal(["ok", "t"], result.Schema.Fields.Select(f => f.Name));
        Assert.StartsWith("line 1, column 8:", await Error("SELECT nope"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Date_bin_floors_times_before_the_origin_and_repeated_times()
    {
        const long H = 3600 * S;
        _source.Add("early", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", -1, 1.0, 1), ("a", -1, 2.0, 2), ("a", -H - 1, 3.0, 3), ("a", 0, 4.0, 4), ("a", H - 1, 5.0, 5), ("a", H - 1, 6.0, 6)));
        Assert.Equal(
            ["1969-12-31T23:00:00", "1969-12-31T23:00:00", "1969-12-31T22:00:00", "1970-01-01T00:00:00", "1970-01-01T00:00:00", "1970-01-01T00:00:00"],
            await Rows("SELECT date_bin(INTERVAL '1 hour', time) FROM early"));
        Assert.Equal(
            ["1969-12-31T23:30:00", "1969-12-31T23:30:00", "1969-12-31T22:30:00", "1969-12-31T23:30:00", "1970-01-01T00:30:00", "1970-01-01T00:30:00"],
            await Rows("SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMP '1970-01-01T00:30:00Z') FROM early"));
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
    [InlineData("SELECT n / 0 FROM cpu", "line 1, column 8: division by zero")]
    [InlineData("SELECT 1 % 0", "line 1, column 8: modulo by zero")]
    [InlineData("SELECT n FROM cpu a JOIN cpu b ON a.n = b.n", "line 1, column 8: column 'n' is ambiguous: qualify it with its table (t.n)")]
    [InlineData("SELECT CAST(host AS BIGINT) AS x FROM cpu", "line 1, column 8: cannot cast 'a' to BIGINT")]
    [InlineData("SELECT upper(n) AS x FROM cpu", "line 1, column 14: argument 1 of upper must be a string, got int64")]
    [InlineData("SELECT n FROM cpu UNION ALL SELECT n, host FROM cpu", "line 1, column 29: each UNION ALL input must have 1 columns, this one has 2")]
    [InlineData("SELECT host, n FROM cpu GROUP BY host", "line 1, column 14: column 'n' must appear in the GROUP BY clause or be used in an aggregate function")]
    [InlineData("SELECT n FROM cpu WHERE time > 'yesterday'", "line 1, column 25: cannot compare time with 'yesterday': not an RFC 3339 timestamp")]
    [InlineData("SELECT n FROM cpu WHERE host = 1", "line 1, column 25: cannot compare a string with a number")]
    [InlineData("SELECT n FROM cpu WHERE max(n) > 1", "line 1, column 25: aggregate functions are not allowed in WHERE")]
    [InlineData("SELECT frob(n) FROM cpu", "line 1, column 8: unknown function 'frob'")]
    [InlineData("SELECT n FROM cpu ORDER BY 3", "line 1, column 28: ORDER BY position 3 is not in the select list")]
    [InlineData("SELECT n FROM", "line 1, column 14: expected a table name, found end of input")]
    [InlineData("SELECT n FROM cpu\nWHERE nope = 1", "line 2, column 7: unknown column 'nope'")]
    public async Task Errors_carry_positions(string sql, string message)
    {
        Assert.Equal(message, await Error(sql));
    }

    [Theory]
    [InlineData("SELECT CASE WHEN usage IS NULL THEN 'none' WHEN usage > 30 THEN 'high' ELSE 'low' END AS l FROM cpu ORDER BY n NULLS FIRST", "high,low,low,none,high,high")]
    [InlineData("SELECT CASE host WHEN 'a' THEN 1 WHEN 'b' THEN 2.5 END AS l FROM cpu ORDER BY n NULLS FIRST", "2.5,1,2.5,1,NULL,NULL")]
    [InlineData("SELECT CASE WHEN n > 2 THEN n END AS l FROM cpu ORDER BY n NULLS FIRST", "NULL,NULL,NULL,3,5,6")]
    [InlineData("SELECT CAST(usage / 3 AS BIGINT) AS x FROM cpu ORDER BY n NULLS FIRST", "13,3,6,NULL,16,20")]
    [InlineData("SELECT (-usage / 3)::bigint AS x FROM cpu WHERE n = 1", "-3")]
    [InlineData("SELECT CAST(n AS DOUBLE) / 2 AS x FROM cpu WHERE n = 1", "0.5")]
    [InlineData("SELECT CAST(n AS VARCHAR) || host AS x FROM cpu WHERE n = 1", "1a")]
    [InlineData("SELECT CAST(time AS BIGINT) AS x FROM cpu WHERE n = 1", "1451606400000000000")]
    [InlineData("SELECT CAST('2016-01-01T00:00:00Z' AS TIMESTAMP) = time AS x FROM cpu WHERE n = 1", "True")]
    [InlineData("SELECT CAST(n AS BOOLEAN) AS x, CAST('true' AS BOOLEAN) AS y FROM cpu WHERE n = 1", "True|True")]
    [InlineData("SELECT CAST('12' AS BIGINT) + 1 AS x FROM cpu WHERE n = 1", "13")]
    public async Task Case_and_cast(string sql, string expected)
    {
        Assert.Equal(expected, string.Join(',', await Rows(sql)));
    }

    [Theory]
    [InlineData("SELECT abs(usage - 30) AS x, abs(n - 3) AS y FROM cpu WHERE n IN (1, 5)", "20|2,20|2")]
    [InlineData("SELECT round(2.5) AS a, round(-2.5) AS b, floor(-1.5) AS c, ceil(1.2) AS d, round(1.234, 2) AS e FROM cpu WHERE n = 1", "3|-3|-2|2|1.23")]
    [InlineData("SELECT sqrt(usage) AS a, power(n, 2) AS b FROM cpu WHERE n = 2", "4.47213595499958|4")]
    [InlineData("SELECT upper(host) AS a, lower('AbC') AS b, length(host || 'xé') AS c, substr('host_12', 6) AS d FROM cpu WHERE n = 1", "A|abc|3|12")]
    [InlineData("SELECT coalesce(usage, n, -1) AS a FROM cpu ORDER BY n NULLS FIRST", "40,10,20,3,50,60")]
    [InlineData("SELECT nullif(host, 'a') AS a FROM cpu ORDER BY n NULLS FIRST", "b,NULL,b,NULL,c,NULL")]
    public async Task Scalar_functions(string sql, string expected)
    {
        Assert.Equal(expected, string.Join(',', await Rows(sql)));
    }

    [Fact]
    public async Task Subqueries_ctes_and_union_all()
    {
        Assert.Equal(["a|1", "b|1"],
            await Rows("SELECT host, count(*) AS c FROM (SELECT host, max(usage) AS m FROM cpu GROUP BY host) AS s WHERE m < 50 GROUP BY host ORDER BY host"));
        Assert.Equal(["2|40"],
            await Rows("WITH h AS (SELECT host, max(usage) AS m FROM cpu WHERE host IS NOT NULL GROUP BY host), big AS (SELECT * FROM h WHERE m >= 20) SELECT count(*) AS c, min(m) AS lo FROM big"));
        Assert.Equal(["x|3", "y|6", "x|1"],
            await Rows("SELECT 'x' AS k, n FROM cpu WHERE n = 3 UNION ALL SELECT 'y' AS k, n FROM cpu WHERE n = 6 UNION ALL SELECT 'x', n FROM cpu WHERE n = 1"));
        Assert.Equal(["0.5", "1"],
            await Rows("SELECT n AS v FROM cpu WHERE n = 1 UNION ALL SELECT usage / 80 FROM cpu WHERE n IS NULL ORDER BY v"));
        Assert.Equal(["6"], await Rows("SELECT n FROM cpu UNION ALL SELECT n FROM cpu ORDER BY n DESC NULLS LAST LIMIT 1"));
    }

    [Fact]
    public async Task First_and_last_value_by_time()
    {
        Assert.Equal(["a|10|NULL|1|3", "b|20|40|2|NULL"],
            await Rows("SELECT host, first_value(usage ORDER BY time) AS f, last_value(usage ORDER BY time) AS l, first_value(n ORDER BY time) AS fn, last_value(n ORDER BY time) AS ln FROM cpu WHERE host IN ('a', 'b') GROUP BY host ORDER BY host"));
        Assert.Equal(["30"], await Rows("SELECT approx_percentile_cont(usage, 0.5) AS p FROM cpu WHERE host IS NOT NULL"));
    }

    [Fact]
    public async Task Inner_and_left_joins_on_equality()
    {
        _source.Add("meta", MetaSchema, Meta(("a", "east"), ("b", "west"), ("b", "north")));
        Assert.Equal(["1|a|east", "2|b|north", "2|b|west", "3|a|east"],
            await Rows("SELECT c.n, c.host, m.region FROM cpu c JOIN meta m ON c.host = m.host WHERE c.n IS NOT NULL AND c.n < 5 ORDER BY c.n, m.region"));
        Assert.Equal(["NULL|0", "a|2", "b|4", "c|0"],
            await Rows("SELECT c.host, count(m.region) AS k FROM cpu AS c LEFT JOIN meta AS m ON m.host = c.host GROUP BY c.host ORDER BY c.host NULLS FIRST"));
        Assert.Equal(["1|1"], await Rows("SELECT a.n, b.n AS bn FROM cpu a INNER JOIN (SELECT n, time FROM cpu) b ON a.time = b.time AND a.n = b.n AND a.n < 2"));
    }

    [Fact]
    public async Task Selectors_skip_nulls_and_give_value_or_time()
    {
        // host a: (T0, 10), (T0+60, NULL): the last non-null usage is at T0. host b: (T0, 20), (T0+60, 40).
        Assert.Equal(["a|10|2016-01-01T00:00:00|10|2016-01-01T00:00:00", "b|40|2016-01-01T00:01:00|20|2016-01-01T00:00:00"],
            await Rows("SELECT host, selector_last(usage, time)['value'] AS lv, selector_last(usage, time)['time'] AS lt, selector_first(usage, time)['value'] AS fv, selector_first(usage, time)['time'] AS ft FROM cpu WHERE host IN ('a', 'b') GROUP BY host ORDER BY host"));
        Assert.Equal(["60|10|2016-01-01T00:03:00|2016-01-01T00:00:00"],
            await Rows("SELECT selector_max(usage, time)['value'] AS hi, selector_min(usage, time)['value'] AS lo, selector_max(usage, time)['time'] AS hit, selector_min(usage, time)['time'] AS lot FROM cpu"));
        Assert.Equal("line 1, column 8: use selector_last(…)['value'] or selector_last(…)['time']", await Error("SELECT selector_last(usage, time) AS x FROM cpu"));
        Assert.Equal("line 1, column 8: selector_last has the fields 'value' and 'time', not 'v'", await Error("SELECT selector_last(usage, time)['v'] AS x FROM cpu"));
    }

    [Fact]
    public async Task Aggregate_filter_clause()
    {
        Assert.Equal(["NULL|1|1|NULL", "a|0|2|10", "b|1|2|40", "c|1|1|50"],
            await Rows("SELECT host, count(*) FILTER (WHERE usage > 30) AS busy, count(*) AS n, max(usage) FILTER (WHERE n < 6 OR n IS NULL) AS m FROM cpu GROUP BY host ORDER BY host NULLS FIRST"));
        Assert.Equal("SELECT count(*) FILTER (WHERE x > 1) AS c, f(a)['value'] FROM t",
            Tsdb.Query.Sql.SqlPrinter.Print(Tsdb.Query.Sql.SqlParser.Parse("select count(*) filter (where x > 1) as c, f(a)['value'] from t")));
        Assert.Equal(["1"], await Rows("SELECT n AS filter FROM cpu WHERE n = 1"));
    }

    [Fact]
    public async Task Same_named_columns_of_a_join_stay_apart_in_group_by_and_order_by()
    {
        // x.host and y.host print alike; keys are matched by input position, so they are two keys, not one.
        Assert.Equal(["a|NULL|2", "a|a|1", "a|b|1", "a|c|2"],
            await Rows("SELECT x.host AS xh, y.host AS yh, count(*) AS k FROM cpu x JOIN cpu y ON x.n < y.n WHERE x.host = 'a' GROUP BY x.host, y.host ORDER BY y.host NULLS FIRST"));
        Assert.Equal(["6|1", "5|2", "2|5", "1|6"], await Rows("SELECT x.n AS xn, y.n AS yn FROM cpu x JOIN cpu y ON x.n + y.n = 7 ORDER BY y.n"));
        Assert.Equal(["1|6", "2|5"], await Rows("SELECT DISTINCT ON (y.n) x.n AS xn, y.n AS yn FROM cpu x JOIN cpu y ON x.n + y.n = 7 WHERE y.n > 4 ORDER BY y.n DESC"));
    }

    [Fact]
    public async Task Scalar_subqueries_after_aggregation()
    {
        // avg(usage) over all rows is 36.
        Assert.Equal(["a|-26", "b|4", "c|14"],
            await Rows("SELECT host, max(usage) - (SELECT avg(usage) FROM cpu) AS d FROM cpu WHERE host IS NOT NULL GROUP BY host ORDER BY host"));
        Assert.Equal(["NULL", "b", "c"], await Rows("SELECT host FROM cpu GROUP BY host HAVING max(usage) > (SELECT avg(usage) FROM cpu) ORDER BY host NULLS FIRST"));
        Assert.Equal(["6|NULL"], await Rows("SELECT count(*) AS k, (SELECT max(usage) FROM cpu WHERE host = 'zz') AS m FROM cpu"));
        Assert.Equal(["0|NULL"], await Rows("SELECT count(*) AS k, (SELECT max(usage) FROM cpu WHERE host = 'zz') AS m FROM cpu WHERE usage > (SELECT max(usage) FROM cpu WHERE host = 'zz')"));
    }

    [Fact]
    public async Task Left_and_right_are_functions_too()
    {
        Assert.Equal(["a|a", "b|b"], await Rows("SELECT left(host, 1) AS l, right(host, 1) AS r FROM cpu WHERE n < 3 ORDER BY n"));
        Assert.Equal(["a|3"], await Rows("SELECT LEFT(c.host, 1) AS l, Right('123', 1) AS r FROM cpu c LEFT JOIN cpu d ON c.n = d.n + 10 WHERE c.n = 1"));
    }

    [Fact]
    public async Task Exists_correlated_by_equality_and_other_conditions()
    {
        const string later = "(SELECT 1 FROM cpu y WHERE y.host = x.host AND y.time > x.time)";
        Assert.Equal(["1", "2"], await Rows($"SELECT x.n FROM cpu x WHERE EXISTS {later} ORDER BY x.n"));
        // The NULL host never equals anything, so it has no later row either.
        Assert.Equal(["NULL", "3", "5", "6"], await Rows($"SELECT x.n FROM cpu x WHERE NOT EXISTS {later} ORDER BY x.n NULLS FIRST"));
        // No equality at all: a nested-loop semi join; a NULL usage makes the condition unknown, so NOT EXISTS keeps it.
        const string higher = "(SELECT 1 FROM cpu y WHERE y.usage > x.usage + 25)";
        Assert.Equal(["1", "2"], await Rows($"SELECT x.n FROM cpu x WHERE EXISTS {higher} ORDER BY x.n"));
        Assert.Equal(["NULL", "3", "5", "6"], await Rows($"SELECT x.n FROM cpu x WHERE NOT EXISTS {higher} ORDER BY x.n NULLS FIRST"));
        Assert.Equal("line 1, column 61: unknown column 'y.nope'", await Error("SELECT n FROM cpu x WHERE EXISTS (SELECT 1 FROM cpu y WHERE y.nope > x.n)"));
    }

    [Theory]
    [InlineData("SELECT 1/0", "line 1, column 8: division by zero")]
    [InlineData("SELECT 1 % 0 AS m", "line 1, column 8: modulo by zero")]
    [InlineData("SELECT n / 0 AS q FROM cpu", "line 1, column 8: division by zero")]
    [InlineData("SELECT n % 0 AS m FROM cpu", "line 1, column 8: modulo by zero")]
    [InlineData("SELECT host,\n  n / (n - n) AS q FROM cpu", "line 2, column 3: division by zero")]
    [InlineData("SELECT n FROM cpu WHERE n % (n - 1) = 0", "line 1, column 25: modulo by zero")]
    public async Task Integer_division_and_modulo_by_zero_are_errors(string sql, string message)
    {
        // DataFusion: integer / 0 and % 0 fail the query (arrow's checked kernels); they are not NULL as in DuckDB.
        Assert.Equal(message, await Error(sql));
    }

    [Fact]
    public async Task Float_division_by_zero_follows_ieee()
    {
        // DataFusion divides floats with IEEE semantics: ±inf for x / 0, NaN for 0 / 0 and x % 0. No error.
        Assert.Equal(["Infinity|-Infinity|NaN|NaN"], await Rows("SELECT 1.0 / 0 AS a, -1.0 / 0 AS b, 0.0 / 0 AS c, 1.5 % 0 AS d"));
        Assert.Equal(["1|Infinity|Infinity|NaN"], await Rows("SELECT n, usage / 0 AS a, n / 0.0 AS b, usage % 0.0 AS c FROM cpu WHERE n = 1"));
        Assert.Equal(["-Infinity"], await Rows("SELECT -usage / (usage - usage) AS a FROM cpu WHERE n = 1"));
    }

    private static readonly Tsdb.Arrow.Types.Schema MetaSchema = new([
        new Tsdb.Arrow.Types.Field("host", Tsdb.Arrow.Types.ArrowType.Utf8),
        new Tsdb.Arrow.Types.Field("region", Tsdb.Arrow.Types.ArrowType.Utf8),
    ]);

    private static RecordBatch Meta(params (string Host, string Region)[] rows)
    {
        using var host = new Tsdb.Arrow.Builders.VariableWidthArrayBuilder(Tsdb.Arrow.Types.ArrowType.Utf8);
        using var region = new Tsdb.Arrow.Builders.VariableWidthArrayBuilder(Tsdb.Arrow.Types.ArrowType.Utf8);
        foreach (var (h, r) in rows)
        {
            host.Append(h);
            region.Append(r);
        }
        return new RecordBatch(MetaSchema, [ArrowArray.Create(host.BuildData()), ArrowArray.Create(region.BuildData())], rows.Length);
    }
}
