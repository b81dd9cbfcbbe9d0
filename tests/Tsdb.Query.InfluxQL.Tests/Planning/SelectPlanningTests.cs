namespace Tsdb.Query.InfluxQL.Tests.Planning;

/// <summary>
/// InfluxQL SELECT semantics on a small measurement whose every row is known: series and their order, which rows a
/// raw query answers, per-series limits, intervals and fill(), the per-series functions and selector times. The
/// differential test against InfluxDB 1.6.7 (Tsdb.EndToEnd.Tests) covers the language broadly; these pin the rules.
/// </summary>
public sealed class SelectPlanningTests
{
    private const long T0 = 1_767_225_600_000_000_000;   // 2026-01-01T00:00:00Z
    private const long M = 60_000_000_000;

    private static readonly string Range = $"time >= {T0} AND time < {T0 + (4 * M)}";

    private static InfluxQLRunner Cpu()
    {
        var s = new PointSource();
        s.Add("cpu", ["v", "n"],
            (T0, "host=a", [1.0, 1L]),
            (T0 + M, "host=a", [3.0, 2L]),
            (T0 + (2 * M), "host=a", [null, 3L]),
            (T0 + (3 * M), "host=a", [9.0, null]),
            (T0, "host=b", [10.0, 5L]),
            (T0 + (2 * M), "host=b", [6.0, 5L]),
            (T0 + M, "", [100.0, 7L]));
        s.Add("mem", ["free"], (T0, "host=a", [5L]));
        return new InfluxQLRunner(s);
    }

    [Fact]
    public async Task Series_are_ordered_by_tag_value_and_a_missing_tag_is_the_empty_string()
    {
        var rows = await Cpu().Rows("SELECT v FROM cpu GROUP BY host");
        Assert.Equal(
        [
            $"cpu host= {T0 + M} 100",
            $"cpu host=a {T0} 1", $"cpu host=a {T0 + M} 3", $"cpu host=a {T0 + (3 * M)} 9",
            $"cpu host=b {T0} 10", $"cpu host=b {T0 + (2 * M)} 6",
        ], rows);
    }

    [Fact]
    public async Task A_raw_row_is_answered_when_a_named_field_has_a_value_even_if_the_expression_is_null()
    {
        var rows = await Cpu().Rows("SELECT v + n FROM cpu WHERE host = 'a'");
        Assert.Equal([$"cpu {T0} 2", $"cpu {T0 + M} 5", $"cpu {T0 + (2 * M)} null", $"cpu {T0 + (3 * M)} null"], rows);
        Assert.Equal(["v_n"], await Cpu().ValueColumns("SELECT v + n FROM cpu"));
    }

    [Fact]
    public async Task ORDER_BY_time_DESC_reverses_the_series_too()
    {
        var rows = await Cpu().Rows("SELECT v FROM cpu WHERE host != '' GROUP BY host ORDER BY time DESC");
        Assert.Equal([$"cpu host=b {T0 + (2 * M)} 6", $"cpu host=b {T0} 10", $"cpu host=a {T0 + (3 * M)} 9", $"cpu host=a {T0 + M} 3", $"cpu host=a {T0} 1"], rows);
    }

    [Fact]
    public async Task LIMIT_and_OFFSET_count_rows_of_each_series_and_SLIMIT_counts_series()
    {
        // The untagged series has one row, which OFFSET 1 skips.
        Assert.Equal([$"cpu host=a {T0 + M} 3", $"cpu host=b {T0 + (2 * M)} 6"],
            await Cpu().Rows("SELECT v FROM cpu GROUP BY host LIMIT 1 OFFSET 1"));
        Assert.Equal([$"cpu host=a {T0} 1", $"cpu host=a {T0 + M} 3", $"cpu host=a {T0 + (3 * M)} 9"],
            await Cpu().Rows("SELECT v FROM cpu GROUP BY host SLIMIT 1 SOFFSET 1"));
    }

    [Fact]
    public async Task Tags_compare_as_the_empty_string_where_a_series_lacks_them()
    {
        Assert.Equal([$"cpu {T0 + M} 100"], await Cpu().Rows("SELECT v FROM cpu WHERE host = ''"));
        Assert.Equal([$"cpu {T0} 10", $"cpu {T0 + M} 100", $"cpu {T0 + (2 * M)} 6"], await Cpu().Rows("SELECT v FROM cpu WHERE host != 'a'"));
        Assert.Equal([$"cpu {T0 + M} 100"], await Cpu().Rows("SELECT v FROM cpu WHERE host =~ /^$/"));
    }

    [Fact]
    public async Task Intervals_without_points_are_null_but_count_is_zero()
    {
        var runner = Cpu();
        Assert.Equal([$"cpu {T0} 10", $"cpu {T0 + M} null", $"cpu {T0 + (2 * M)} 6", $"cpu {T0 + (3 * M)} null"],
            await runner.Rows($"SELECT mean(v) FROM cpu WHERE host = 'b' AND {Range} GROUP BY time(1m)"));
        Assert.Equal([$"cpu {T0} 1", $"cpu {T0 + M} 0", $"cpu {T0 + (2 * M)} 1", $"cpu {T0 + (3 * M)} 0"],
            await runner.Rows($"SELECT count(v) FROM cpu WHERE host = 'b' AND {Range} GROUP BY time(1m)"));
        Assert.Equal([$"cpu {T0} 10", $"cpu {T0 + (2 * M)} 6"],
            await runner.Rows($"SELECT mean(v) FROM cpu WHERE host = 'b' AND {Range} GROUP BY time(1m) fill(none)"));
    }

    [Theory]
    [InlineData("previous", "10 10 6 6")]
    [InlineData("linear", "10 8 6 null")]
    [InlineData("-1", "10 -1 6 -1")]
    public async Task Fill_options_fill_the_missing_intervals(string fill, string values)
    {
        var rows = await Cpu().Rows($"SELECT mean(v) FROM cpu WHERE host = 'b' AND {Range} GROUP BY time(1m) fill({fill})");
        Assert.Equal(values, string.Join(" ", rows.Select(r => r.Split(' ')[^1])));
    }

    [Fact]
    public async Task A_lone_selector_answers_its_points_time_and_two_selectors_the_start_of_the_range()
    {
        var runner = Cpu();
        Assert.Equal([$"cpu {T0 + M} 100"], await runner.Rows("SELECT max(v) FROM cpu"));
        // Other fields come from the selected point (n is null there).
        Assert.Equal([$"cpu host=a {T0 + (3 * M)} 9 null"], await runner.Rows("SELECT max(v), n FROM cpu WHERE host = 'a' GROUP BY host"));
        Assert.Equal(["cpu 0 100 1"], await runner.Rows("SELECT max(v), min(v) FROM cpu"));
        Assert.Equal([$"cpu {T0 + 1} 100 3"], await runner.Rows($"SELECT max(v), min(v) FROM cpu WHERE time > {T0}"));
    }

    [Fact]
    public async Task Per_series_functions_walk_each_series_in_time_order()
    {
        var runner = Cpu();
        Assert.Equal([$"cpu {T0 + M} 2", $"cpu {T0 + (3 * M)} 3"], await runner.Rows("SELECT derivative(v, 1m) FROM cpu WHERE host = 'a'"));
        Assert.Equal([$"cpu {T0 + M} 2", $"cpu {T0 + (3 * M)} 6"], await runner.Rows("SELECT difference(v) FROM cpu WHERE host = 'a'"));
        Assert.Equal([$"cpu {T0} 1", $"cpu {T0 + M} 4", $"cpu {T0 + (3 * M)} 13"], await runner.Rows("SELECT cumulative_sum(v) FROM cpu WHERE host = 'a'"));
        Assert.Equal([$"cpu {T0 + M} 2", $"cpu {T0 + (3 * M)} 6"], await runner.Rows("SELECT moving_average(v, 2) FROM cpu WHERE host = 'a'"));
        Assert.Equal([$"cpu {T0 + (2 * M)} -4"], await runner.Rows("SELECT difference(v) FROM cpu WHERE host = 'b'"));
        Assert.Empty(await runner.Rows("SELECT non_negative_difference(v) FROM cpu WHERE host = 'b'"));
        Assert.Equal([$"cpu {T0 + M} 1", $"cpu {T0 + (2 * M)} 1"], await runner.Rows("SELECT elapsed(n, 1m) FROM cpu WHERE host = 'a'"));
    }

    [Fact]
    public async Task A_derivative_of_an_aggregate_reads_the_interval_before_the_range_and_skips_empty_ones()
    {
        // The first interval in range (T0+1m) gets a value from T0's mean; T0+2m has no v, so T0+3m's derivative spans two intervals.
        var rows = await Cpu().Rows($"SELECT derivative(mean(v)) FROM cpu WHERE host = 'a' AND time >= {T0 + M} AND time < {T0 + (4 * M)} GROUP BY time(1m)");
        Assert.Equal([$"cpu {T0 + M} 2", $"cpu {T0 + (3 * M)} 3"], rows);
    }

    [Fact]
    public async Task A_subquery_keeps_its_series_names_and_group_tags()
    {
        var runner = Cpu();
        Assert.Equal(["cpu 0 100"], await runner.Rows("SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu GROUP BY host)"));
        Assert.Equal(["cpu host=a 0 3", "cpu host=b 0 2"], await runner.Rows("SELECT count(v) FROM (SELECT v FROM cpu WHERE host != '' GROUP BY host) GROUP BY host"));
        Assert.Equal(["cpu 0 13", "mem 0 5"], await runner.Rows("SELECT sum(x) FROM (SELECT v AS x FROM cpu WHERE host = 'a'), (SELECT free AS x FROM mem)"));
    }

    [Fact]
    public async Task Top_lists_its_points_by_time_and_the_named_tags_after_the_value()
    {
        var runner = Cpu();
        Assert.Equal([$"cpu {T0} 10", $"cpu {T0 + M} 100"], await runner.Rows("SELECT top(v, 2) FROM cpu"));
        Assert.Equal([$"cpu {T0} 10 b", $"cpu {T0 + (3 * M)} 9 a"], await runner.Rows("SELECT top(v, host, 2) FROM cpu WHERE host != ''"));
        Assert.Equal(["top", "host"], await runner.ValueColumns("SELECT top(v, host, 2) FROM cpu"));
    }

    [Fact]
    public async Task Mode_breaks_ties_as_InfluxDB_3_does()
    {
        var s = new PointSource();
        // 2 and 7 both twice; walking values upwards, 7 takes over because its first point (t=1) is no later than 2's last (t=3).
        s.Add("m", (0, "", [7L]), (1, "", [2L]), (2, "", [7L]), (3, "", [2L]), (4, "", [5L]));
        Assert.Equal(["m 0 7"], await new InfluxQLRunner(s).Rows("SELECT mode(v) FROM m"));
        // Values seen once never win over the smallest: all distinct gives the smallest.
        var d = new PointSource();
        d.Add("m", (0, "", [9L]), (1, "", [4L]), (2, "", [6L]));
        Assert.Equal(["m 0 4"], await new InfluxQLRunner(d).Rows("SELECT mode(v) FROM m"));
    }

    [Fact]
    public async Task Errors_are_worded_as_InfluxDB_words_them()
    {
        var runner = Cpu();
        Assert.Equal("mixing aggregate and non-aggregate queries is not supported", await runner.Error("SELECT mean(v), n FROM cpu"));
        Assert.Equal("GROUP BY requires at least one aggregate function", await runner.Error("SELECT v FROM cpu GROUP BY time(1m)"));
        Assert.Equal("statement must have at least one field in select clause", await runner.Error("SELECT host FROM cpu"));
        Assert.StartsWith("SELECT INTO is not supported", await runner.Error("SELECT v INTO other FROM cpu"), StringComparison.Ordinal);
        Assert.StartsWith("CREATE DATABASE is not supported", await runner.Error("CREATE DATABASE x"), StringComparison.Ordinal);
        Assert.Equal("derivative aggregate requires a GROUP BY interval", await runner.Error("SELECT derivative(mean(v)) FROM cpu"));
    }

    [Fact]
    public async Task A_WHERE_clause_of_thousands_of_ORed_terms_plans_without_deep_recursion()
    {
        var terms = string.Join(" OR ", Enumerable.Range(0, 20_000).Select(i => $"host = 'x{i}'"));
        var rows = await Cpu().Rows($"SELECT v FROM cpu WHERE {terms} OR host = 'b'");
        Assert.Equal([$"cpu {T0} 10", $"cpu {T0 + (2 * M)} 6"], rows);
    }

    [Fact]
    public async Task A_time_comparison_bounds_the_statement_wherever_it_stands_as_in_1x()
    {
        // Under OR it leaves the other branch: host a after T0.
        Assert.Equal([$"cpu {T0 + M} 3", $"cpu {T0 + (3 * M)} 9"], await Cpu().Rows($"SELECT v FROM cpu WHERE time > {T0} OR host = 'a'"));
        // Under AND inside an OR branch it bounds the whole statement.
        Assert.Equal([$"cpu {T0 + M} 3", $"cpu {T0 + (2 * M)} 6"], await Cpu().Rows($"SELECT v FROM cpu WHERE host = 'a' OR host = 'b' AND time > {T0} AND time < {T0 + (3 * M)}"));
    }

    [Fact]
    public async Task SHOW_statements_read_the_catalog_and_the_data()
    {
        var runner = Cpu();
        Assert.Equal(["measurements cpu", "measurements mem"], await runner.Rows("SHOW MEASUREMENTS"));
        Assert.Equal(["measurements cpu"], await runner.Rows("SHOW MEASUREMENTS WHERE host = 'b'"));
        Assert.Equal(["cpu n integer", "cpu v float"], await runner.Rows("SHOW FIELD KEYS FROM cpu"));
        Assert.Equal(["cpu host a", "cpu host b", "mem host a"], await runner.Rows("SHOW TAG VALUES WITH KEY = host"));
        Assert.Equal(["null cpu", "null cpu,host=a", "null cpu,host=b", "null mem,host=a"], await runner.Rows("SHOW SERIES"));
    }
}
