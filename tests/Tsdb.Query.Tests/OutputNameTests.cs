using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>
/// Unaliased select items are named as InfluxDB 3 (DataFusion's schema names) names them; the expected names are
/// DataFusion's rules applied by hand (columns qualified inside expressions, typed literals, casts transparent, a bare
/// comma between function arguments).
/// </summary>
public sealed class OutputNameTests
{
    private readonly SqlEngine _engine;

    public OutputNameTests()
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, MemoryTableSource.Cpu(("a", 1_000_000_000L, 1.5, 1), ("b", 2_000_000_000L, 2.5, 2)));
        _engine = new SqlEngine(new QueryExecutor(source, TimeProvider.System));
    }

    private async Task<string> Name(string sql)
    {
        var result = await _engine.ExecuteAsync("db", sql, CancellationToken.None);
        return Assert.Single(result.Schema.Fields).Name;
    }

    [Theory]
    [InlineData("SELECT usage FROM cpu", "usage")]
    [InlineData("SELECT cpu.usage FROM cpu", "usage")]
    [InlineData("SELECT avg(usage) FROM cpu", "avg(cpu.usage)")]
    [InlineData("SELECT AVG(usage) FROM cpu", "avg(cpu.usage)")]
    [InlineData("SELECT mean(usage) FROM cpu", "avg(cpu.usage)")]
    [InlineData("SELECT max(c.usage) FROM cpu c", "max(c.usage)")]
    [InlineData("SELECT count(*) FROM cpu", "count(*)")]
    [InlineData("SELECT count(DISTINCT host) FROM cpu", "count(DISTINCT cpu.host)")]
    [InlineData("SELECT count(*) FILTER (WHERE n > 1) FROM cpu", "count(*) FILTER (WHERE cpu.n > Int64(1))")]
    [InlineData("SELECT usage + n FROM cpu", "cpu.usage + cpu.n")]
    [InlineData("SELECT (usage + n) * 2 FROM cpu", "cpu.usage + cpu.n * Int64(2)")]
    [InlineData("SELECT n <> 1 FROM cpu", "cpu.n != Int64(1)")]
    [InlineData("SELECT 1", "Int64(1)")]
    [InlineData("SELECT -1", "Int64(-1)")]
    [InlineData("SELECT -n FROM cpu", "(- cpu.n)")]
    [InlineData("SELECT 1.5", "Float64(1.5)")]
    [InlineData("SELECT 2.0", "Float64(2)")]
    [InlineData("SELECT 'x'", "Utf8(\"x\")")]
    [InlineData("SELECT true", "Boolean(true)")]
    [InlineData("SELECT NULL", "NULL")]
    [InlineData("SELECT CAST(n AS DOUBLE) FROM cpu", "cpu.n")]
    [InlineData("SELECT n::VARCHAR FROM cpu", "cpu.n")]
    [InlineData("SELECT abs(n) FROM cpu", "abs(cpu.n)")]
    [InlineData("SELECT round(usage, 1) FROM cpu", "round(cpu.usage,Int64(1))")]
    [InlineData("SELECT date_bin(INTERVAL '1 minute', time) FROM cpu", "date_bin(IntervalMonthDayNano(\"IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 60000000000 }\"),cpu.time)")]
    [InlineData("SELECT date_bin(INTERVAL '1 day', time) FROM cpu", "date_bin(IntervalMonthDayNano(\"IntervalMonthDayNano { months: 0, days: 1, nanoseconds: 0 }\"),cpu.time)")]
    [InlineData("SELECT n IS NULL FROM cpu", "cpu.n IS NULL")]
    [InlineData("SELECT n BETWEEN 1 AND 2 FROM cpu", "cpu.n BETWEEN Int64(1) AND Int64(2)")]
    [InlineData("SELECT host IN ('a', 'b') FROM cpu", "cpu.host IN Utf8(\"a\"), Utf8(\"b\")")]
    [InlineData("SELECT host LIKE 'a%' FROM cpu", "cpu.host LIKE Utf8(\"a%\")")]
    [InlineData("SELECT NOT n > 1 FROM cpu", "NOT cpu.n > Int64(1)")]
    [InlineData("SELECT CASE WHEN n > 1 THEN 'big' ELSE 'small' END FROM cpu", "CASE WHEN cpu.n > Int64(1) THEN Utf8(\"big\") ELSE Utf8(\"small\") END")]
    [InlineData("SELECT host || 'x' FROM cpu", "cpu.host || Utf8(\"x\")")]
    [InlineData("SELECT (SELECT max(usage) FROM cpu)", "max(cpu.usage)")]
    [InlineData("SELECT max(usage) AS peak FROM cpu", "peak")]
    [InlineData("SELECT sum(n) OVER (ORDER BY time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM cpu", "sum(cpu.n) ORDER BY [cpu.time ASC NULLS LAST] ROWS BETWEEN 1 PRECEDING AND CURRENT ROW")]
    [InlineData("SELECT row_number() OVER () FROM cpu", "row_number() ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING")]
    public async Task Unaliased_items_are_named_as_datafusion_names_them(string sql, string expected) =>
        Assert.Equal(expected, await Name(sql));

    [Fact]
    public async Task Group_keys_and_aggregates_keep_their_names_through_grouping()
    {
        var result = await _engine.ExecuteAsync("db", "SELECT host, date_bin(INTERVAL '1 second', time), count(*), avg(usage) FROM cpu GROUP BY 1, 2", CancellationToken.None);
        Assert.Equal(
            ["host", "date_bin(IntervalMonthDayNano(\"IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }\"),cpu.time)", "count(*)", "avg(cpu.usage)"],
            result.Schema.Fields.Select(f => f.Name));
    }

    [Fact]
    public async Task Order_by_may_name_an_output_column_by_its_datafusion_name()
    {
        var result = await _engine.ExecuteAsync("db", "SELECT host, max(usage) FROM cpu GROUP BY host ORDER BY \"max(cpu.usage)\" DESC", CancellationToken.None);
        Assert.Equal("b", result.Batches[0].Columns[0].GetObject(0)?.ToString());
    }
}
