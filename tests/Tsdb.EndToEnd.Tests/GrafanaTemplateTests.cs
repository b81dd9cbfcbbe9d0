using Tsdb.EndToEnd.Tests.Grafana;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The expansion rules GrafanaDashboardTests relies on, pinned to the answers Grafana's own tests expect (its Prometheus
/// data source's interpolateQueryExpr tests; grafana-plugin-sdk-go's gtime and sqlutil) or, where no test of Grafana's
/// states the case, to what its code computes. No server.
/// </summary>
public sealed class GrafanaTemplateTests
{
    private static Dictionary<string, GrafanaVariableValue> Vars(string name, bool multi, params string[] values) =>
        new(StringComparer.Ordinal) { [name] = new GrafanaVariableValue(name, multi, values) };

    [Theory]
    // Grafana's Prometheus tests: single values only get ' and \ escaped; multi values are regex-escaped and joined.
    [InlineData(false, new[] { "abc'$^*{}[]+?.()|" }, "abc\\\\'$^*{}[]+?.()|")]
    [InlineData(true, new[] { "looking*glass" }, "looking\\\\*glass")]
    [InlineData(true, new[] { "a|bc", "de|f" }, "(a\\\\|bc|de\\\\|f)")]
    [InlineData(true, new[] { "127.0.0.1:9100", "localhost:9100" }, "(127\\\\.0\\\\.0\\\\.1:9100|localhost:9100)")]
    public void Prometheus_interpolation(bool multi, string[] values, string expected)
    {
        Assert.Equal($"up{{instance=~\"{expected}\"}}", GrafanaTemplate.Replace("up{instance=~\"$v\"}", Vars("v", multi, values), GrafanaDataSourceKind.Prometheus));
    }

    [Theory]
    // The InfluxDB data source: numbers pass, multi values become a regex group (even one), single values are escaped only inside /…/.
    [InlineData("SELECT * FROM m WHERE h =~ /^$v$/", true, new[] { "a.b", "c" }, "SELECT * FROM m WHERE h =~ /^(a\\.b|c)$/")]
    [InlineData("SELECT * FROM m WHERE h =~ /^$v$/", true, new[] { "a.b" }, "SELECT * FROM m WHERE h =~ /^(a\\.b)$/")]
    [InlineData("SELECT * FROM m WHERE h =~ /^$v$/", false, new[] { "a.b" }, "SELECT * FROM m WHERE h =~ /^a\\.b$/")]
    [InlineData("SELECT * FROM m WHERE h = '$v'", false, new[] { "a.b" }, "SELECT * FROM m WHERE h = 'a.b'")]
    [InlineData("SELECT * FROM m WHERE rack = $v", false, new[] { "12" }, "SELECT * FROM m WHERE rack = 12")]
    [InlineData("SELECT * FROM m WHERE h IN (${v:sqlstring})", true, new[] { "o'k", "b" }, "SELECT * FROM m WHERE h IN ('o''k','b')")]
    [InlineData("SELECT * FROM m WHERE h = ${v:doublequote} OR [[v:csv]] OR ${v:pipe} OR ${v:regex}", true, new[] { "a", "b.c" }, "SELECT * FROM m WHERE h = \"a\",\"b.c\" OR a,b.c OR a|b.c OR (a|b\\.c)")]
    [InlineData("SELECT $__interval, $timeFilter, $unknown FROM m", false, new[] { "x" }, "SELECT $__interval, $timeFilter, $unknown FROM m")]
    public void InfluxDB_interpolation_for_InfluxQL_and_SQL(string query, bool multi, string[] values, string expected)
    {
        Assert.Equal(expected, GrafanaTemplate.Replace(query, Vars("v", multi, values), GrafanaDataSourceKind.InfluxQL));
        Assert.Equal(expected, GrafanaTemplate.Replace(query, Vars("v", multi, values), GrafanaDataSourceKind.Sql));
    }

    [Theory]
    [InlineData(500, "500ms")]
    [InlineData(15_000, "15s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(75_000, "1m15s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(5_400_500, "1h30m0.5s")]
    public void Rate_interval_prints_as_a_Go_duration(long ms, string expected) => Assert.Equal(expected, GrafanaInterval.GoDuration(ms));

    [Theory]
    [InlineData(900, "900ms")]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m")]
    [InlineData(7_200_000, "2h")]
    public void Interval_prints_in_its_largest_whole_unit(long ms, string expected) => Assert.Equal(expected, GrafanaInterval.Format(ms));

    [Fact]
    public void Intervals_round_to_the_kbn_table_and_respect_the_minimum_and_the_safe_resolution()
    {
        Assert.Equal(2_000, GrafanaInterval.RoundMs(2_400));
        Assert.Equal(60_000, GrafanaInterval.RoundMs(75_000));
        Assert.Equal(15_000, GrafanaInterval.IntervalMs(3_600_000, 800, 15_000)); // 4.5 s → 5 s, below the 15 s scrape interval
        Assert.Equal(60_000, GrafanaInterval.IntervalMs(86_400_000, 1_000, 15_000)); // 86.4 s → 1 m
        Assert.Equal(15_000, GrafanaInterval.PrometheusStepMs(3_600_000, 800, 15_000));
        Assert.Equal(10_000, GrafanaInterval.PrometheusStepMs(86_400_000, 100_000, 1)); // 86.4 M / 11,000 → 10 s
        Assert.Equal(60_000, GrafanaInterval.RateIntervalMs(15_000, 15_000)); // max(30 s, 4 × 15 s)
        Assert.Equal(135_000, GrafanaInterval.RateIntervalMs(120_000, 15_000));
    }

    [Fact]
    public void Sql_macros_expand_as_the_fsql_backend_does()
    {
        const long from = 1_700_000_000_123, to = 1_700_003_600_999;
        Assert.Equal(
            "SELECT date_bin(interval '10 second', time, timestamp '1970-01-01T00:00:00Z') AS t, "
            + "date_bin(interval '10 second', date_trunc('minute', time), timestamp '1970-01-01T00:00:00Z') as date_trunc('minute', time)_binned "
            + "FROM cpu WHERE time >= '2023-11-14T22:13:20Z' AND time <= '2023-11-14T23:13:20Z' AND time > cast('2023-11-14T22:13:20Z' as timestamp) "
            + "AND time < cast('2023-11-14T23:13:20Z' as timestamp) GROUP BY date_bin(interval '10 second', time), 10000",
            GrafanaQueryClient.ExpandSqlMacros(
                "SELECT $__dateBin(time) AS t, $__dateBinAlias(date_trunc('minute', time)) FROM cpu WHERE $__timeFilter(time) "
                + "AND time > $__timeFrom AND time < $__timeTo() GROUP BY date_bin($__interval, time), $__interval_ms",
                from, to, 10_000));
        Assert.Throws<NotSupportedException>(() => GrafanaQueryClient.ExpandSqlMacros("SELECT $__timeGroup(time, minute) FROM cpu", from, to, 10_000));
    }
}
