using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>What the plan-based engine adds: EXPLAIN, every join kind, subqueries, spilling sorts, plan-time errors.</summary>
public sealed class PlanFeatureTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S; // 2016-01-01T00:00:00Z

    private readonly MemoryTableSource _source = new();

    public PlanFeatureTests()
    {
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 10.0, 1), ("b", T0, 20.0, 2), ("a", T0 + (60 * S), null, 3)),
            MemoryTableSource.Cpu(("b", T0 + (60 * S), 40.0, null), ("c", T0 + (120 * S) + 1, 50.0, 5), (null, T0 + (180 * S), 60.0, 6)));
        _source.Add("hosts", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 1.0, 100), ("b", T0, 2.0, 200), ("d", T0, 4.0, 400)));
    }

    private SqlEngine Engine(QueryEngineOptions? options = null) => new(new QueryExecutor(_source, TimeProvider.System, options));

    private async Task<List<string>> Rows(string sql, QueryEngineOptions? options = null)
    {
        var result = await Engine(options).ExecuteAsync("db", sql, CancellationToken.None);
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

    [Fact]
    public async Task Explain_shows_the_optimised_logical_and_the_physical_plan_without_running_it()
    {
        _source.BatchesRead = 0;
        var rows = await Rows("EXPLAIN SELECT host, max(usage) FROM cpu WHERE host = 'a' AND time >= '2016-01-01T00:01:00Z' GROUP BY host");
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("logical_plan|", rows[0], StringComparison.Ordinal);
        Assert.Contains("Aggregate: groupBy=[host]", rows[0], StringComparison.Ordinal);
        // The filter sits in the scan, with only the columns the query reads.
        Assert.Contains("Scan: cpu projection=[host, time, usage] filter=", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("physical_plan|", rows[1], StringComparison.Ordinal);
        Assert.Contains("HashAggregateExec", rows[1], StringComparison.Ordinal);
        Assert.True(rows[1].Contains("time=[2016-01-01T00:01:00, +inf]", StringComparison.Ordinal), rows[1]);
        Assert.Contains("host in ('a')", rows[1], StringComparison.Ordinal);
        Assert.Equal(0, _source.BatchesRead);

        var verbose = await Rows("EXPLAIN VERBOSE SELECT n FROM cpu WHERE n > 1");
        Assert.StartsWith("initial_logical_plan|", verbose[0], StringComparison.Ordinal);
        Assert.Contains("Filter: n > 1", verbose[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_analyze_runs_the_plan_and_reports_rows_and_batches_per_operator()
    {
        var rows = await Rows("EXPLAIN ANALYZE SELECT host, count(*) FROM cpu WHERE n > 1 GROUP BY host ORDER BY host");
        Assert.StartsWith("Plan with Metrics|", rows[0], StringComparison.Ordinal);
        Assert.Contains("ScanExec: table=cpu", rows[0], StringComparison.Ordinal);
        Assert.Contains("output_rows=4, output_batches=2", rows[0], StringComparison.Ordinal);   // n > 1: 2 + 2 rows
        Assert.Contains("chunks_stream=1", rows[0], StringComparison.Ordinal);   // the chunks the scan read, by kind
        Assert.Contains("SortExec", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("Query|output_rows=4", rows[1], StringComparison.Ordinal);
        // The scan runs in the aggregate's tasks, and the plan says so; its rows are counted all the same (above).
        Assert.Contains("HashAggregateExec: groupBy=[host], aggr=[count(*)], fused=[ScanExec]", rows[0], StringComparison.Ordinal);

        var lastpoint = await Rows("EXPLAIN SELECT DISTINCT ON (host) host, time, usage FROM cpu ORDER BY host, time DESC");
        Assert.True(lastpoint[1].Contains("FirstPerKeyExec: on=[host], order=[host ASC NULLS LAST, time DESC NULLS FIRST], time_bound_first=[host, time], statistics=host, fused=[ScanExec]", StringComparison.Ordinal), lastpoint[1]);
    }

    [Fact]
    public async Task Every_join_kind()
    {
        Assert.Equal(["a|100", "a|100", "b|200", "b|200"],
            (await Rows("SELECT c.host, h.n FROM cpu c JOIN hosts h ON c.host = h.host")).Order(StringComparer.Ordinal));
        Assert.Equal(["NULL|NULL", "a|100", "a|100", "b|200", "b|200", "c|NULL"],
            (await Rows("SELECT c.host, h.n FROM cpu c LEFT JOIN hosts h ON c.host = h.host")).Order(StringComparer.Ordinal));
        Assert.Equal(["a|100", "a|100", "b|200", "b|200", "NULL|400"],
            (await Rows("SELECT c.host, h.n FROM cpu c RIGHT JOIN hosts h ON c.host = h.host ORDER BY h.n, c.host")));
        Assert.Equal(7, (await Rows("SELECT c.host, h.host FROM cpu c FULL JOIN hosts h ON c.host = h.host")).Count);   // 4 matches, c, NULL, d
        Assert.Equal(["18"], await Rows("SELECT count(*) FROM cpu CROSS JOIN hosts"));
        // A condition without equality compares every pair; one with an equality and a residual hashes on the equality.
        Assert.Equal(["9"], await Rows("SELECT count(*) FROM cpu c JOIN hosts h ON c.usage > h.usage * 10"));   // 4 + 3 + 2 pairs
        Assert.Equal(["a|10|1", "b|20|2"], await Rows("SELECT c.host, c.usage, h.usage FROM cpu c JOIN hosts h ON c.host = h.host AND c.usage < h.usage * 15 ORDER BY c.host"));
    }

    [Fact]
    public async Task In_exists_and_scalar_subqueries()
    {
        Assert.Equal(["1", "2", "3"], await Rows("SELECT n FROM cpu WHERE host IN (SELECT host FROM hosts) AND n IS NOT NULL ORDER BY n"));
        Assert.Equal(["5"], await Rows("SELECT n FROM cpu WHERE host NOT IN (SELECT host FROM hosts) ORDER BY n"));
        // NOT IN over a set with a NULL is never true (SQL's three-valued logic).
        Assert.Empty(await Rows("SELECT n FROM cpu WHERE n NOT IN (SELECT n FROM cpu WHERE host = 'b')"));
        Assert.Equal(["1", "3"], await Rows("SELECT n FROM cpu c WHERE EXISTS (SELECT 1 FROM hosts h WHERE h.host = c.host AND h.n < 150) ORDER BY n"));
        Assert.Equal(["5", "6"], await Rows("SELECT n FROM cpu c WHERE NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host = c.host) ORDER BY n"));
        Assert.Equal(["b|40", "c|50", "NULL|60"], await Rows("SELECT host, usage FROM cpu WHERE usage > (SELECT avg(usage) FROM cpu) ORDER BY usage"));   // avg 36
        Assert.Equal(["a|400"], await Rows("SELECT host, (SELECT max(n) FROM hosts) AS m FROM cpu WHERE n = 1"));
        var ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", "SELECT n FROM cpu WHERE n = (SELECT n FROM hosts)", CancellationToken.None));
        Assert.Equal("a scalar subquery returned more than one row", ex.Message);
    }

    [Fact]
    public async Task Correlated_scalar_subqueries_are_decorrelated_into_a_grouped_left_join()
    {
        // In the select list: per outer row the aggregate over the matching inner rows; NULL where none match.
        Assert.Equal(["1|100", "2|200", "3|100", "5|NULL", "6|NULL"],
            await Rows("SELECT c.n, (SELECT max(h.n) FROM hosts h WHERE h.host = c.host) AS m FROM cpu c WHERE c.n IS NOT NULL ORDER BY c.n"));
        // count over no rows is 0, not NULL (the "count bug" of a plain left join), with a local term beside the key.
        Assert.Equal(["1|0", "2|1", "3|0", "5|0", "6|0"],
            await Rows("SELECT c.n, (SELECT count(*) FROM hosts h WHERE h.host = c.host AND h.n > 150) AS k FROM cpu c WHERE c.n IS NOT NULL ORDER BY c.n"));
        // In WHERE, inside an expression: rows above their own host's average (a: 10, b: 30, c: 50) less one.
        Assert.Equal(["1", "5", "NULL"],
            await Rows("SELECT c.n FROM cpu c WHERE c.usage > (SELECT avg(c2.usage) FROM cpu c2 WHERE c2.host = c.host) - 1 ORDER BY c.n"));
        // Named as DataFusion names a scalar subquery: its column's name.
        var result = await Engine().ExecuteAsync("db", "SELECT (SELECT max(h.n) FROM hosts h WHERE h.host = c.host) FROM cpu c", CancellationToken.None);
        Assert.Equal("max(h.n)", Assert.Single(result.Schema.Fields).Name);
    }

    [Fact]
    public async Task In_subquery_as_a_value_answers_with_sqls_three_valued_logic()
    {
        // A NULL probe against a non-empty set is NULL.
        Assert.Equal(["1|True", "2|True", "3|True", "5|False", "6|NULL"],
            await Rows("SELECT n, host IN (SELECT host FROM hosts) AS known FROM cpu WHERE n IS NOT NULL ORDER BY n"));
        // The set {2, NULL}: no match is NULL (the NULL might have been equal), a match is true, so NOT IN is false.
        Assert.Equal(["1|NULL", "2|False", "3|NULL", "5|NULL", "6|NULL"],
            await Rows("SELECT n, n NOT IN (SELECT n FROM cpu WHERE host = 'b') AS x FROM cpu WHERE n IS NOT NULL ORDER BY n"));
        // Against an empty set even a NULL probe is false.
        Assert.Equal(["False"], await Rows("SELECT host IN (SELECT host FROM hosts WHERE n > 1000) AS x FROM cpu WHERE n = 6"));
        // Under OR in WHERE (not a term of its own, so not a semi join).
        Assert.Equal(["2", "5", "NULL"], await Rows("SELECT n FROM cpu WHERE n = 5 OR host IN (SELECT host FROM hosts WHERE n > 150) ORDER BY n"));
    }

    [Fact]
    public async Task Subqueries_in_group_keys_and_after_group_by()
    {
        // A group key holding IN (subquery): the value is joined to the rows before grouping (a NULL host is NULL).
        Assert.Equal(["True|4", "False|1", "NULL|1"],
            await Rows("SELECT host IN (SELECT host FROM hosts) AS known, count(*) AS k FROM cpu GROUP BY 1 ORDER BY k DESC, known"));
        // The same expression again in the select list is the group's column, not a second join.
        Assert.Equal(["a|True|2", "b|True|2", "c|False|1", "NULL|NULL|1"],
            await Rows("SELECT host, host IN (SELECT host FROM hosts), count(*) FROM cpu GROUP BY host, host IN (SELECT host FROM hosts) ORDER BY host"));
        // A correlated scalar subquery after GROUP BY: its outer column is a group key, joined per group.
        Assert.Equal(["a|2|100", "b|2|200", "c|1|NULL", "NULL|1|NULL"],
            await Rows("SELECT c.host, count(*) AS k, (SELECT max(h.n) FROM hosts h WHERE h.host = c.host) AS m FROM cpu c GROUP BY c.host ORDER BY c.host"));
        Assert.Equal(["c", "NULL"],
            await Rows("SELECT c.host FROM cpu c GROUP BY c.host HAVING (SELECT count(*) FROM hosts h WHERE h.host = c.host) = 0 ORDER BY c.host"));
        // IN (subquery) as a value after GROUP BY is correlated with the group key through its rewrite.
        Assert.Equal(["a|True", "b|True", "c|False", "NULL|NULL"],
            await Rows("SELECT host, host IN (SELECT host FROM hosts) FROM cpu GROUP BY host ORDER BY host"));
        var ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db",
            "SELECT count(*), (SELECT max(h.n) FROM hosts h WHERE h.host = c.host) FROM cpu c GROUP BY c.n", CancellationToken.None));
        Assert.Equal("line 1, column 63: column 'host' must appear in the GROUP BY clause or be used in an aggregate function", ex.Message);
    }

    [Fact]
    public async Task Exists_as_a_value_is_true_or_false_never_null()
    {
        Assert.Equal(["1|False", "2|True", "3|False", "5|False", "6|False"],
            await Rows("SELECT n, EXISTS (SELECT 1 FROM hosts h WHERE h.host = c.host AND h.n > 150) AS e FROM cpu c WHERE n IS NOT NULL ORDER BY n"));
        Assert.Equal(["1|False", "2|False", "3|False", "5|True", "6|True"],
            await Rows("SELECT n, NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host = c.host) FROM cpu c WHERE n IS NOT NULL ORDER BY n"));
        // Uncorrelated, with an aggregate (one row even over no rows, so true) and with GROUP BY … HAVING (no groups: false).
        Assert.Equal(["True|False"],
            await Rows("SELECT EXISTS (SELECT max(n) FROM hosts WHERE n > 1000), EXISTS (SELECT host FROM hosts GROUP BY host HAVING count(*) > 1) FROM cpu WHERE n = 1"));
        // Under OR in WHERE (not a term of its own, so not a semi join), and after GROUP BY.
        // The row whose n is NULL (host b) is kept: NULL OR TRUE is TRUE.
        Assert.Equal(["2", "5", "NULL"], await Rows("SELECT n FROM cpu c WHERE n = 5 OR EXISTS (SELECT 1 FROM hosts h WHERE h.host = c.host AND h.n > 150) ORDER BY n"));
        Assert.Equal(["a|True", "b|True", "c|False", "NULL|False"],
            await Rows("SELECT host, EXISTS (SELECT 1 FROM hosts h WHERE h.host = c.host) FROM cpu c GROUP BY host ORDER BY host"));
    }

    [Fact]
    public async Task Correlated_scalar_subqueries_without_an_aggregate_take_the_one_row_or_the_first_with_limit_1()
    {
        // One row per key: its value; none: NULL.
        Assert.Equal(["1|100", "2|200", "3|100", "5|NULL", "6|NULL"],
            await Rows("SELECT n, (SELECT h.n FROM hosts h WHERE h.host = c.host) AS hn FROM cpu c WHERE n IS NOT NULL ORDER BY n"));
        // LIMIT 1: the first row in the subquery's order, per outer row (DESC puts NULLs first unless told otherwise).
        Assert.Equal(["a|3|3|10", "b|NULL|2|20", "d|NULL|NULL|NULL"],
            await Rows("SELECT h.host, (SELECT c.n FROM cpu c WHERE c.host = h.host ORDER BY c.n DESC LIMIT 1), " +
                "(SELECT c.n FROM cpu c WHERE c.host = h.host ORDER BY c.n DESC NULLS LAST LIMIT 1), " +
                "(SELECT c.usage AS u FROM cpu c WHERE c.host = h.host ORDER BY u LIMIT 1) FROM hosts h ORDER BY h.host"));
        // More than one row for an outer row is an error, as in PostgreSQL and DuckDB ...
        var ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db",
            "SELECT h.host, (SELECT c.n FROM cpu c WHERE c.host = h.host) FROM hosts h", CancellationToken.None));
        Assert.Contains("a scalar subquery returned more than one row for an outer row", ex.Message, StringComparison.Ordinal);
        // ... but not for a key that no outer row reaches.
        Assert.Equal(["d|NULL"], await Rows("SELECT h.host, (SELECT c.n FROM cpu c WHERE c.host = h.host) FROM hosts h WHERE h.host = 'd'"));
        // After GROUP BY, correlated through a group key.
        Assert.Equal(["a|2|100", "b|2|200", "c|1|NULL", "NULL|1|NULL"],
            await Rows("SELECT c.host, count(*), (SELECT h.n FROM hosts h WHERE h.host = c.host) FROM cpu c GROUP BY c.host ORDER BY c.host"));
    }

    [Fact]
    public async Task Correlated_scalar_subqueries_with_any_comparison_are_decorrelated_over_their_domain()
    {
        // A running count: every row of the same host up to this one's time (time <= is not an equality).
        Assert.Equal(["1|1", "2|1", "3|2", "5|1", "6|0"],
            await Rows("SELECT c.n, (SELECT count(*) FROM cpu d WHERE d.time <= c.time AND d.host = c.host) FROM cpu c WHERE c.n IS NOT NULL ORDER BY c.n"));
        // Only a comparison, over an expression of the outer column.
        Assert.Equal(["a|2", "b|5", "d|5"],
            await Rows("SELECT h.host, (SELECT min(c.n) FROM cpu c WHERE c.usage > h.usage * 10) FROM hosts h ORDER BY h.host"));
        // count inside an expression: a host without rows gets the expression over no rows (0 + 1), not NULL.
        Assert.Equal(["a|3", "b|3", "d|1"],
            await Rows("SELECT h.host, (SELECT count(*) + 1 FROM cpu c WHERE c.host = h.host) FROM hosts h ORDER BY h.host"));
        // An outer row whose correlated value is NULL still meets its domain row (here every host matches it).
        Assert.Equal(["1|1", "2|1", "3|1", "5|0", "6|3", "NULL|1"],
            await Rows("SELECT c.n, (SELECT count(*) FROM hosts h WHERE h.host = c.host OR c.host IS NULL) FROM cpu c ORDER BY c.n"));
        // Several correlated columns, in WHERE.
        Assert.Equal(["3"],
            await Rows("SELECT c.n FROM cpu c WHERE (SELECT count(*) FROM cpu d WHERE d.host = c.host AND d.time < c.time AND d.n < c.n) > 0 ORDER BY c.n"));
        // After GROUP BY: the outer column is a group key.
        Assert.Equal(["a|2|0", "b|2|1", "c|1|2", "NULL|1|0"],
            await Rows("SELECT c.host, count(*), (SELECT count(*) FROM hosts h WHERE h.host < c.host) FROM cpu c GROUP BY c.host ORDER BY c.host"));
        // Two deep: the inner subquery is correlated with the middle one, the middle one with the outer query.
        Assert.Equal(["a|1", "b|0", "d|0"],
            await Rows("SELECT h.host, (SELECT count(*) FROM cpu c WHERE c.host = h.host AND c.n > (SELECT min(c2.n) FROM cpu c2 WHERE c2.host = c.host)) FROM hosts h ORDER BY h.host"));
        // Two deep, the inner subquery reading the outer query (and the middle one): the outer column joins the middle
        // one's domain, where the inner one finds it (answers as DuckDB 1.5 gives them).
        Assert.Equal(["a|1", "b|0", "d|0"],
            await Rows("SELECT h.host, (SELECT count(*) FROM cpu c WHERE c.host = h.host AND c.n > (SELECT min(c2.n) FROM cpu c2 WHERE c2.host = h.host)) FROM hosts h ORDER BY h.host"));
        Assert.Equal(["a|3", "b|2", "d|0"],
            await Rows("SELECT h.host, (SELECT count(*) FROM cpu c WHERE c.usage > (SELECT avg(c2.usage) FROM cpu c2 WHERE c2.host = h.host AND c2.n <> c.n)) FROM hosts h ORDER BY h.host"));
    }

    [Fact]
    public async Task Equality_correlations_keep_the_grouped_join_and_others_join_a_domain_back_null_safely()
    {
        // Plain equality: the subquery grouped by its key and left-joined on it, no domain.
        var fast = (await Rows("EXPLAIN SELECT c.n, (SELECT max(h.n) FROM hosts h WHERE h.host = c.host) FROM cpu c"))[0];
        Assert.DoesNotContain("__d0", fast, StringComparison.Ordinal);
        Assert.Contains("Aggregate: groupBy=[host], aggr=[max(h.n)]", fast, StringComparison.Ordinal);
        // Another comparison: the distinct outer values (D) joined with the rows, grouped per D value, joined back with
        // IS NOT DISTINCT FROM keys, and the value over no rows (count 0) for D values without rows.
        var general = (await Rows("EXPLAIN SELECT c.n, (SELECT count(*) FROM hosts h WHERE h.n > c.n) FROM cpu c"))[0];
        Assert.Contains("Aggregate: groupBy=[n], aggr=[]", general, StringComparison.Ordinal);
        Assert.Contains("Aggregate: groupBy=[__d0], aggr=[count(*)]", general, StringComparison.Ordinal);
        Assert.Contains("on=[n IS NULL = __d0 IS NULL, coalesce(n, 0) = coalesce(__d0, 0)]", general, StringComparison.Ordinal);
        Assert.Contains("Values: no rows", general, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Correlated_scalar_subqueries_with_group_by_having_or_distinct_answer_per_outer_row()
    {
        // HAVING without GROUP BY: a host without rows is the aggregate over no rows, which HAVING may keep (count 0 < 2).
        Assert.Equal(["a|NULL", "b|NULL", "d|0"],
            await Rows("SELECT h.host, (SELECT count(*) FROM cpu c WHERE c.host = h.host HAVING count(*) < 2) FROM hosts h ORDER BY h.host"));
        Assert.Equal(["a|4", "b|2", "d|NULL"],
            await Rows("SELECT h.host, (SELECT sum(c.n) FROM cpu c WHERE c.host = h.host HAVING count(*) > 1) FROM hosts h ORDER BY h.host"));
        // GROUP BY … HAVING: the one group left per outer row (d: hosts a and b have rows with n < 4, only a has two).
        Assert.Equal(["a|NULL", "b|NULL", "d|a"],
            await Rows("SELECT h.host, (SELECT c.host FROM cpu c WHERE c.n < h.n / 100 GROUP BY c.host HAVING count(*) > 1) FROM hosts h ORDER BY h.host"));
        // DISTINCT makes a host's two rows one value.
        Assert.Equal(["a|a", "b|b", "d|NULL"],
            await Rows("SELECT h.host, (SELECT DISTINCT c.host FROM cpu c WHERE c.host = h.host AND c.time <= h.time + INTERVAL '1 minute') FROM hosts h ORDER BY h.host"));
        // Without HAVING, d meets two groups: an error, as in DuckDB and PostgreSQL.
        var ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db",
            "SELECT h.host, (SELECT c.host FROM cpu c WHERE c.n < h.n / 100 GROUP BY c.host) FROM hosts h", CancellationToken.None));
        Assert.Contains("a scalar subquery returned more than one row for an outer row", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Correlated_exists_and_in_with_group_by_having_limit_or_aggregates()
    {
        Assert.Equal(["d"], await Rows("SELECT h.host FROM hosts h WHERE EXISTS (SELECT c.host FROM cpu c WHERE c.n < h.n / 100 GROUP BY c.host HAVING count(*) > 1)"));
        Assert.Equal(["a", "b"], await Rows("SELECT h.host FROM hosts h WHERE NOT EXISTS (SELECT c.host FROM cpu c WHERE c.n < h.n / 100 GROUP BY 1 HAVING count(*) > 1) ORDER BY h.host"));
        // LIMIT does not change whether a row exists; LIMIT 0 leaves none.
        Assert.Equal(["a", "b"], await Rows("SELECT h.host FROM hosts h WHERE EXISTS (SELECT 1 FROM cpu c WHERE c.host = h.host ORDER BY c.n LIMIT 1) ORDER BY h.host"));
        Assert.Empty(await Rows("SELECT h.host FROM hosts h WHERE EXISTS (SELECT 1 FROM cpu c WHERE c.host = h.host LIMIT 0)"));
        // An aggregate without GROUP BY is one row even over no rows; with HAVING it is a test per outer row.
        Assert.Equal(["a", "b", "d"], await Rows("SELECT h.host FROM hosts h WHERE EXISTS (SELECT max(c.n) FROM cpu c WHERE c.host = h.host) ORDER BY h.host"));
        Assert.Equal(["a|False", "b|False", "d|True"],
            await Rows("SELECT h.host, EXISTS (SELECT 1 FROM cpu c WHERE c.host = h.host HAVING count(*) < 2) FROM hosts h ORDER BY h.host"));
        // IN and NOT IN over a correlated set; NOT IN is false-or-NULL when the set holds a NULL, true over an empty set.
        Assert.Equal(["1", "2"], await Rows("SELECT c.n FROM cpu c WHERE c.n IN (SELECT h.n / 100 FROM hosts h WHERE h.host = c.host OR h.n > 300) ORDER BY c.n"));
        Assert.Equal(["3", "5", "6"], await Rows("SELECT c.n FROM cpu c WHERE c.n NOT IN (SELECT h.n / 100 FROM hosts h WHERE h.host = c.host OR h.n > 300) ORDER BY c.n"));
        Assert.Equal(["1", "3", "5", "6", "NULL"], await Rows("SELECT c.n FROM cpu c WHERE c.n NOT IN (SELECT c2.n FROM cpu c2 WHERE c2.host = c.host AND c2.time > c.time) ORDER BY c.n"));
        // As values: SQL's three-valued IN per outer row (a NULL probe against a non-empty set is NULL; a NULL in the set
        // makes a miss NULL).
        Assert.Equal(["1|True", "2|True", "3|False", "5|False", "6|False", "NULL|NULL"],
            await Rows("SELECT c.n, c.n IN (SELECT h.n / 100 FROM hosts h WHERE h.host = c.host OR h.n > 300) FROM cpu c ORDER BY c.n"));
        Assert.Equal(["1|True", "2|NULL", "3|True", "5|True", "6|True", "NULL|True"],
            await Rows("SELECT c.n, c.n NOT IN (SELECT c2.n FROM cpu c2 WHERE c2.host = c.host AND c2.time > c.time) FROM cpu c ORDER BY c.n"));
    }

    [Theory]
    [InlineData("SELECT (SELECT h.n FROM hosts h WHERE h.n > c.n OFFSET 1) FROM cpu c", "line 1, column 56: a correlated scalar subquery may not end in OFFSET or LIMIT 0")]
    [InlineData("SELECT (SELECT h.host FROM hosts h WHERE h.n > c.n GROUP BY h.host ORDER BY h.host LIMIT 1) FROM cpu c", "line 1, column 90: ORDER BY … LIMIT 1 in a correlated scalar subquery with GROUP BY or DISTINCT is not supported yet")]
    [InlineData("SELECT (SELECT h.n, h.host FROM hosts h WHERE h.n > c.n) FROM cpu c", "line 1, column 8: a correlated scalar subquery must select one expression")]
    [InlineData("SELECT n FROM cpu c WHERE n IN (SELECT max(h.n) FROM hosts h WHERE h.host = c.host)", "line 1, column 33: a correlated IN subquery must select one expression per row (no aggregate, GROUP BY, HAVING or LIMIT)")]
    [InlineData("SELECT n FROM cpu c WHERE usage IN (SELECT h.usage FROM hosts h WHERE h.host = c.host)", "line 1, column 27: 'usage' is also a column of the correlated IN subquery: qualify it with the outer query's table")]
    [InlineData("SELECT n FROM cpu c WHERE EXISTS (SELECT 1 FROM hosts h WHERE h.host = c.host OFFSET 2)", "line 1, column 86: a correlated EXISTS subquery may not have an OFFSET")]
    [InlineData("SELECT (SELECT max(h.n) FROM hosts h WHERE h.n > c.nope) FROM cpu c", "line 1, column 50: unknown column 'c.nope'")]
    [InlineData("SELECT h.host, (SELECT max(c.n) - h.n FROM cpu c WHERE c.usage > h.usage) FROM hosts h", "line 1, column 35: 'h.n' is a column of the outer query: a correlated subquery may read outer columns only in its WHERE")]
    public async Task Correlated_subqueries_that_cannot_be_decorrelated_are_refused(string sql, string message)
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", sql, CancellationToken.None));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public async Task A_sort_past_the_memory_limit_spills_and_answers_as_in_memory()
    {
        var big = new MemoryTableSource();
        var batches = new List<RecordBatch>();
        var random = new Random(7);
        for (var b = 0; b < 40; b++)
        {
            batches.Add(MemoryTableSource.Cpu([.. Enumerable.Range(0, 500).Select(i =>
                ((string?)("h" + random.Next(50)), T0 + (random.Next(1000) * S), random.Next(3) == 0 ? null : (double?)random.Next(100), (long?)((b * 500) + i)))]));
        }
        big.Add("cpu", MemoryTableSource.CpuSchema, [.. batches]);
        async Task<List<string>> Sorted(long limit)
        {
            var engine = new SqlEngine(new QueryExecutor(big, TimeProvider.System, new QueryEngineOptions { MaxQueryMemoryBytes = limit }));
            var result = await engine.ExecuteAsync("db", "SELECT host, usage, n FROM cpu ORDER BY usage DESC NULLS LAST, host, time", CancellationToken.None);
            return [.. result.Batches.SelectMany(batch => Enumerable.Range(0, batch.Length).Select(r =>
                string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture)))))];
        }
        var inMemory = await Sorted(1L << 30);
        var spilled = await Sorted(64 * 1024);
        Assert.Equal(20_000, inMemory.Count);
        Assert.Equal(inMemory, spilled);

        var explain = await new SqlEngine(new QueryExecutor(big, TimeProvider.System, new QueryEngineOptions { MaxQueryMemoryBytes = 64 * 1024 }))
            .ExecuteAsync("db", "EXPLAIN ANALYZE SELECT host, usage, n FROM cpu ORDER BY usage DESC NULLS LAST, host, time", CancellationToken.None);
        var text = explain.Batches[0].Column(1) is var col ? Columns.StringValues(col)[0] : null;
        Assert.Contains("spills=", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_time_errors_are_positioned_and_run_time_errors_name_the_expression()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", "SELECT n FROM cpu WHERE n / (n - n) > 1", CancellationToken.None));
        Assert.Equal("line 1, column 25: division by zero", ex.Message);
        Assert.Equal(["Infinity"], await Rows("SELECT usage / 0.0 FROM cpu WHERE n = 1"));
        ex = await Assert.ThrowsAsync<QueryException>(() => Engine().ExecuteAsync("db", "SELECT host FROM cpu WHERE n IN (SELECT host, n FROM cpu)", CancellationToken.None));
        Assert.Contains("must return one column", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flat_chain_of_many_or_terms_plans_and_runs()
    {
        // The planner binds chains iteratively into balanced trees (Grafana multi-value variables expand to these).
        var expression = new Tsdb.Query.Sql.BinaryExpression(Tsdb.Query.Sql.BinaryOperator.Equal,
            new Tsdb.Query.Sql.ColumnReference([new Tsdb.Query.Sql.Identifier("n", false, default)], default), new Tsdb.Query.Sql.IntegerLiteral(0, default), default);
        Tsdb.Query.Sql.Expression chain = expression;
        for (var i = 1; i < 10_000; i++)
        {
            chain = new Tsdb.Query.Sql.BinaryExpression(Tsdb.Query.Sql.BinaryOperator.Or, chain, expression with { Right = new Tsdb.Query.Sql.IntegerLiteral(i, default) }, default);
        }
        var engine = Engine();
        var planner = typeof(SqlEngine).Assembly.GetType("Tsdb.Query.Sql.SqlPlanner");
        Assert.NotNull(planner);
        var select = new Tsdb.Query.Sql.SelectStatement([], false, null,
            [new Tsdb.Query.Sql.ExpressionSelectItem(new Tsdb.Query.Sql.FunctionCall(new Tsdb.Query.Sql.Identifier("count", false, default), [], false, true, [], default), null, default)],
            new Tsdb.Query.Sql.NamedTableSource(new Tsdb.Query.Sql.ObjectName([new Tsdb.Query.Sql.Identifier("cpu", false, default)], default), null, default),
            chain, [], null, [], null, null, default);
        var plan = new SqlPlanner(_source, engine.Executor.Views, "db", "", null, 0).PlanStatement(select);
        var stream = await engine.Executor.ExecuteAsync("db", "10,000 ORs", "sql", _ => plan, ExplainMode.None, CancellationToken.None);
        var batches = new List<RecordBatch>();
        await foreach (var b in stream.ReadAllAsync())
        {
            batches.Add(b);
        }
        Assert.Equal(5L, batches[0].Column(0).GetObject(0));   // n = 1, 2, 3, 5, 6 (one NULL)
    }

    [Fact]
    public async Task System_queries_shows_a_running_plans_progress()
    {
        var gate = new TaskCompletionSource();
        _source.Gate = gate;
        var engine = Engine();
        var running = engine.ExecuteAsync("db", "SELECT count(*) FROM cpu", CancellationToken.None);
        // Its scan holds the gate it read; only then may the gate go (a sleep here let the scan miss it when slow).
        await _source.GateReached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        _source.Gate = null;
        var progress = await engine.ExecuteAsync("db", "SELECT progress FROM system.queries WHERE running AND query_text LIKE '%count%'", CancellationToken.None);
        gate.SetResult();
        await running;
        var text = Columns.StringValues(progress.Batches[0].Column(0))[0];
        Assert.Contains("HashAggregateExec", text, StringComparison.Ordinal);
        Assert.Contains("output_rows=0", text, StringComparison.Ordinal);
    }
}
