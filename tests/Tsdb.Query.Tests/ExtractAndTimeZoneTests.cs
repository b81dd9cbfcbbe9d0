using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>EXTRACT(field FROM e) and e AT TIME ZONE zone: SQL spellings of date_part and tz, through the SQL engine.</summary>
public sealed class ExtractAndTimeZoneTests
{
    private const long S = 1_000_000_000L;

    // 2024-05-15T10:20:30.25Z, then New York's 2024 transitions: EST→EDT at 2024-03-10T07:00:00Z, EDT→EST at
    // 2024-11-03T06:00:00Z (a second before each, and the instant itself).
    private const long May15 = (1_715_768_430L * S) + (S / 4);
    private const long SpringBefore = 1_710_053_999L * S;
    private const long SpringAt = 1_710_054_000L * S;
    private const long FallBefore = 1_730_613_599L * S;
    private const long FallAt = 1_730_613_600L * S;

    private readonly MemoryTableSource _source = new();
    private readonly SqlEngine _engine;

    public ExtractAndTimeZoneTests()
    {
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", May15, 1.0, 1), ("b", SpringBefore, 2.0, 2), ("c", SpringAt, 3.0, 3), ("d", FallBefore, 4.0, 4), ("e", FallAt, 5.0, 5)));
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
    }

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

    [Theory]
    [InlineData("year", "2024")]
    [InlineData("quarter", "2")]
    [InlineData("month", "5")]
    [InlineData("week", "20")]
    [InlineData("day", "15")]
    [InlineData("hour", "10")]
    [InlineData("minute", "20")]
    [InlineData("second", "30.25")]
    [InlineData("millisecond", "30250")]
    [InlineData("microsecond", "30250000")]
    [InlineData("nanosecond", "30250000000")]
    [InlineData("dow", "3")]
    [InlineData("doy", "136")]
    [InlineData("epoch", "1715768430.2499998")]   // date_part's nanoseconds / 1e9 in double: not exactly .25
    [InlineData("YEAR", "2024")]
    [InlineData("hours", "10")]
    public async Task Extract_each_field_as_date_part(string field, string expected)
    {
        Assert.Equal([expected], await Rows($"SELECT EXTRACT({field} FROM time) AS v FROM cpu WHERE n = 1"));
        // The string form and date_part itself give the same.
        Assert.Equal([expected], await Rows($"SELECT EXTRACT('{field}' FROM time) AS v FROM cpu WHERE n = 1"));
        Assert.Equal([expected], await Rows($"SELECT date_part('{field}', time) AS v FROM cpu WHERE n = 1"));
    }

    [Fact]
    public async Task Extract_is_float64_folds_constants_and_works_in_where_group_by_and_aggregates()
    {
        var result = await _engine.ExecuteAsync("db", "SELECT EXTRACT(year FROM time) FROM cpu WHERE n = 1", CancellationToken.None);
        Assert.Equal("date_part(Utf8(\"YEAR\"),cpu.time)", Assert.Single(result.Schema.Fields).Name);
        Assert.Equal(Tsdb.Arrow.Types.ArrowType.Float64, result.Schema.Fields[0].Type);
        Assert.Equal(["5"], await Rows("SELECT EXTRACT(month FROM '2024-05-15T10:20:30Z') AS m"));
        Assert.Equal(["NULL"], await Rows("SELECT EXTRACT(month FROM NULL) AS m"));
        Assert.Equal(["2", "3"], await Rows("SELECT n FROM cpu WHERE EXTRACT(month FROM time) = 3 ORDER BY n"));
        Assert.Equal(["3|2", "5|1", "11|2"],
            await Rows("SELECT EXTRACT(month FROM time) AS m, count(*) AS c FROM cpu GROUP BY EXTRACT(month FROM time) ORDER BY 1"));
        // An aggregate inside EXTRACT is found and computed first.
        Assert.Equal(["11|3"], await Rows("SELECT EXTRACT(month FROM max(time)) AS m, EXTRACT(month FROM min(time)) AS lo FROM cpu"));
    }

    [Fact]
    public async Task At_time_zone_gives_wall_clock_time_across_dst_changes()
    {
        // Spring: 01:59:59 EST is followed by 03:00:00 EDT; fall: 01:59:59 EDT by 01:00:00 EST.
        Assert.Equal(["2024-03-10T01:59:59", "2024-03-10T03:00:00", "2024-11-03T01:59:59", "2024-11-03T01:00:00"],
            await Rows("SELECT time AT TIME ZONE 'America/New_York' AS local FROM cpu WHERE n > 1 ORDER BY n"));
        Assert.Equal(["1", "3", "1", "1"],
            await Rows("SELECT EXTRACT(hour FROM time AT TIME ZONE 'America/New_York') AS h FROM cpu WHERE n > 1 ORDER BY n"));
        // The same as tz(); a fixed offset, a parameter and NULL are zones too.
        Assert.Equal(await Rows("SELECT tz(time, 'America/New_York') AS l FROM cpu ORDER BY n"),
            await Rows("SELECT time AT TIME ZONE 'America/New_York' AS l FROM cpu ORDER BY n"));
        Assert.Equal(["2024-05-15T15:50:30.250"], await Rows("SELECT time AT TIME ZONE '+05:30' AS l FROM cpu WHERE n = 1"));
        Assert.Equal(["2024-03-10T08:00:00"],
            await Rows("SELECT time AT TIME ZONE $tz AS l FROM cpu WHERE n = 3", new Dictionary<string, object?> { ["tz"] = "Europe/Berlin" }));
        Assert.Equal(["NULL"], await Rows("SELECT time AT TIME ZONE NULL AS l FROM cpu WHERE n = 3"));
        // A string is read as a timestamp, as by tz().
        Assert.Equal(["2024-01-01T07:00:00"], await Rows("SELECT '2024-01-01T12:00:00Z' AT TIME ZONE 'America/New_York' AS l"));
    }

    [Fact]
    public async Task At_time_zone_binds_tighter_than_arithmetic()
    {
        // (time AT TIME ZONE 'UTC') + INTERVAL: the conversion applies to time only.
        Assert.Equal(["2024-03-10T04:00:00"],
            await Rows("SELECT time AT TIME ZONE 'America/New_York' + INTERVAL '1 hour' AS l FROM cpu WHERE n = 3"));
        // … so in "time + INTERVAL … AT TIME ZONE" the zone applies to the interval, which is no timestamp.
        Assert.Equal("line 1, column 15: AT TIME ZONE needs a timestamp, found an interval",
            await Error("SELECT time + INTERVAL '1 hour' AT TIME ZONE 'UTC' AS l FROM cpu"));
        Assert.Equal(["2024-03-10T04:00:00"],
            await Rows("SELECT (time + INTERVAL '1 hour') AT TIME ZONE 'America/New_York' AS l FROM cpu WHERE n = 3"));
        Assert.Equal(["2"], await Rows("SELECT n FROM cpu WHERE time AT TIME ZONE 'America/New_York' < '2024-03-10T02:00:00' AND n > 1"));
    }

    [Theory]
    [InlineData("SELECT EXTRACT(century FROM time) AS c FROM cpu",
        "line 1, column 16: unsupported EXTRACT field 'century' (year, quarter, month, week, day, hour, minute, second, millisecond, microsecond, nanosecond, dow, doy or epoch)")]
    [InlineData("SELECT EXTRACT('isodow' FROM time) AS c FROM cpu",
        "line 1, column 16: unsupported EXTRACT field 'isodow' (year, quarter, month, week, day, hour, minute, second, millisecond, microsecond, nanosecond, dow, doy or epoch)")]
    [InlineData("SELECT EXTRACT(year FROM n) AS y FROM cpu", "line 1, column 26: EXTRACT needs a timestamp, found a number")]
    [InlineData("SELECT EXTRACT(year FROM time = time) AS y FROM cpu", "line 1, column 26: EXTRACT needs a timestamp, found a boolean")]
    [InlineData("SELECT time AT TIME ZONE host AS l FROM cpu", "line 1, column 26: the zone of AT TIME ZONE must be a constant string, not a column")]
    [InlineData("SELECT time AT TIME ZONE 'Mars/Olympus' AS l FROM cpu", "line 1, column 26: unknown time zone 'Mars/Olympus'")]
    [InlineData("SELECT time AT TIME ZONE 5 AS l FROM cpu", "line 1, column 26: the zone of AT TIME ZONE must be a string, found a number")]
    [InlineData("SELECT n AT TIME ZONE 'UTC' AS l FROM cpu", "line 1, column 8: AT TIME ZONE needs a timestamp, found a number")]
    [InlineData("SELECT EXTRACT(year time) FROM cpu", "line 1, column 21: expected FROM, found 'time'")]
    public async Task Errors_are_positioned(string sql, string message)
    {
        Assert.Equal(message, await Error(sql));
    }
}
