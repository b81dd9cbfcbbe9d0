using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>date_bin_gapfill with locf and interpolate, as IOx answers them.</summary>
public sealed class GapFillTests
{
    private const long S = 1_000_000_000L;
    private const long M = 60 * S;
    private static readonly long T0 = 1_451_606_400L * S; // 2016-01-01T00:00:00Z

    private const string Range = "time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T00:06:00Z'";

    private readonly MemoryTableSource _source = new();
    private readonly SqlEngine _engine;

    public GapFillTests()
    {
        // Minutes 0-5. a: rows in minutes 1 (two) and 4; b: minutes 0, 2 (usage NULL) and 5; a NULL host in minute 3.
        // Two partitions, so series arrive in pieces.
        _source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0 + M, 10.0, 1), ("b", T0, 5.0, 10), ("a", T0 + M + (30 * S), 20.0, 3)),
            MemoryTableSource.Cpu(("b", T0 + (2 * M), null, 20), ("a", T0 + (4 * M), 40.0, 7), ("b", T0 + (5 * M), 50.0, 51), (null, T0 + (3 * M), 1.0, 2)));
        _engine = new SqlEngine(new QueryExecutor(_source, TimeProvider.System));
    }

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
        : column is TimestampArray t ? TimestampText.Format(t.GetValue(row))[11..19]
        : column.GetObject(row) is double d ? d.ToString("0.###", CultureInfo.InvariantCulture)
        : Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture)!;

    private async Task<string> Error(string sql) =>
        (await Assert.ThrowsAsync<QueryException>(() => _engine.ExecuteAsync("db", sql, CancellationToken.None))).Message;

    [Fact]
    public async Task Every_bin_of_every_series_in_series_then_time_order_with_nulls_and_zero_counts()
    {
        // No ORDER BY: the rows come as gap filling orders them (series, then time; the NULL series last).
        Assert.Equal(
        [
            "a|00:00:00|NULL|0", "a|00:01:00|15|2", "a|00:02:00|NULL|0", "a|00:03:00|NULL|0", "a|00:04:00|40|1", "a|00:05:00|NULL|0",
            "b|00:00:00|5|1", "b|00:01:00|NULL|0", "b|00:02:00|NULL|0", "b|00:03:00|NULL|0", "b|00:04:00|NULL|0", "b|00:05:00|50|1",
            "NULL|00:00:00|NULL|0", "NULL|00:01:00|NULL|0", "NULL|00:02:00|NULL|0", "NULL|00:03:00|1|1", "NULL|00:04:00|NULL|0", "NULL|00:05:00|NULL|0",
        ],
            await Rows($"SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS minute, avg(usage) AS a, count(usage) AS c FROM cpu WHERE {Range} GROUP BY 1, 2"));
    }

    [Fact]
    public async Task Locf_carries_the_last_non_null_value_over_missing_bins_and_null_values()
    {
        // b's minute 2 has a row whose avg is NULL: locf treats it as missing (IOx's PrevNullAsMissing). Before the
        // first value there is nothing to carry.
        Assert.Equal(
        [
            "a|00:00:00|NULL", "a|00:01:00|15", "a|00:02:00|15", "a|00:03:00|15", "a|00:04:00|40", "a|00:05:00|40",
            "b|00:00:00|5", "b|00:01:00|5", "b|00:02:00|5", "b|00:03:00|5", "b|00:04:00|5", "b|00:05:00|50",
        ],
            await Rows($"SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS minute, locf(avg(usage)) FROM cpu WHERE {Range} AND host IS NOT NULL GROUP BY host, minute ORDER BY host, minute"));
    }

    [Fact]
    public async Task Interpolate_floats_between_the_non_null_neighbours_and_leaves_the_ends_null()
    {
        Assert.Equal(
        [
            "a|00:00:00|NULL", "a|00:01:00|20", "a|00:02:00|26.667", "a|00:03:00|33.333", "a|00:04:00|40", "a|00:05:00|NULL",
            "b|00:00:00|5", "b|00:01:00|14", "b|00:02:00|23", "b|00:03:00|32", "b|00:04:00|41", "b|00:05:00|50",
        ],
            await Rows($"SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS minute, interpolate(max(usage)) AS i FROM cpu WHERE {Range} AND host <> '' GROUP BY 1, 2 ORDER BY 1, 2"));
    }

    [Fact]
    public async Task Interpolate_integers_truncates_toward_zero_as_IOx()
    {
        // a: 3 at minute 1, 7 at minute 4 → 4.33, 5.67 → 4, 5. b: 20 at minute 2, 51 at minute 5 → 30.33, 40.67 → 30, 40.
        Assert.Equal(
        [
            "a|00:00:00|NULL", "a|00:01:00|3", "a|00:02:00|4", "a|00:03:00|5", "a|00:04:00|7", "a|00:05:00|NULL",
            "b|00:00:00|10", "b|00:01:00|15", "b|00:02:00|20", "b|00:03:00|30", "b|00:04:00|40", "b|00:05:00|51",
        ],
            await Rows($"SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS minute, interpolate(max(n)) FROM cpu WHERE {Range} AND host IN ('a', 'b') GROUP BY 1, 2"));
    }

    [Fact]
    public async Task Several_fills_in_one_query_and_the_output_names_as_influxdb_3_gives_them()
    {
        var result = await _engine.ExecuteAsync("db",
            $"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS minute, host, locf(min(usage)), interpolate(max(usage)), count(*) FROM cpu WHERE {Range} AND host = 'a' GROUP BY 1, 2",
            CancellationToken.None);
        Assert.Equal(["minute", "host", "locf(min(cpu.usage))", "interpolate(max(cpu.usage))", "count(*)"], result.Schema.Fields.Select(f => f.Name));
        Assert.Equal(
        [
            "00:00:00|a|NULL|NULL|0", "00:01:00|a|10|20|2", "00:02:00|a|10|26.667|0", "00:03:00|a|10|33.333|0", "00:04:00|a|40|40|1", "00:05:00|a|40|NULL|0",
        ],
            await Rows($"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS minute, host, locf(min(usage)), interpolate(max(usage)), count(*) FROM cpu WHERE {Range} AND host = 'a' GROUP BY 1, 2"));
    }

    [Fact]
    public async Task Origin_shifts_the_bins_and_the_first_bin_may_start_before_the_range()
    {
        // Bins of 2 minutes from 00:01: the range's start (00:00) falls in the bin that starts at 23:59 the day before.
        Assert.Equal(["23:59:00|0", "00:01:00|2", "00:03:00|1", "00:05:00|0"],
            await Rows($"SELECT date_bin_gapfill(INTERVAL '2 minutes', time, TIMESTAMP '1970-01-01T00:01:00Z') AS b, count(*) AS c FROM cpu WHERE {Range} AND host = 'a' GROUP BY 1"));
    }

    [Fact]
    public async Task Inclusive_and_exclusive_bounds_and_between()
    {
        // time <= 00:03 includes the bin of 00:03; time > 00:00:30 still starts in the bin of 00:00 (IOx: start + 1ns).
        Assert.Equal(["00:00:00|0", "00:01:00|2", "00:02:00|0", "00:03:00|0"],
            await Rows("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE host = 'a' AND time > '2016-01-01T00:00:30Z' AND time <= '2016-01-01T00:03:00Z' GROUP BY 1"));
        Assert.Equal(["00:01:00|2", "00:02:00|0"],
            await Rows("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE host = 'a' AND time BETWEEN '2016-01-01T00:01:00Z' AND '2016-01-01T00:02:59Z' GROUP BY 1"));
        // Bounds on both sides from several terms: the tightest wins.
        Assert.Equal(["00:01:00|2"],
            await Rows($"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE host = 'a' AND {Range} AND time >= '2016-01-01T00:01:00Z' AND time < '2016-01-01T00:02:00Z' GROUP BY 1"));
    }

    [Fact]
    public async Task The_range_is_found_through_a_subquery_and_having_sees_filled_values()
    {
        Assert.Equal(["a|00:01:00|15", "a|00:02:00|15", "a|00:03:00|15", "a|00:04:00|40", "a|00:05:00|40"],
            await Rows($"SELECT host, date_bin_gapfill(INTERVAL '1 minute', t) AS minute, locf(avg(u)) AS v FROM (SELECT host, time AS t, usage AS u FROM cpu WHERE {Range}) AS s WHERE host = 'a' GROUP BY 1, 2 HAVING locf(avg(u)) > 0"));
    }

    [Fact]
    public async Task Without_aggregates_and_ordered_descending()
    {
        Assert.Equal(["b|00:03:00", "b|00:02:00", "b|00:01:00", "a|00:03:00", "a|00:02:00", "a|00:01:00"],
            await Rows("SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS m FROM cpu WHERE host IN ('a', 'b') AND time BETWEEN '2016-01-01T00:01:00Z' AND '2016-01-01T00:03:00Z' GROUP BY 1, 2 ORDER BY host DESC, m DESC"));
    }

    [Fact]
    public async Task The_time_key_need_not_be_selected()
    {
        Assert.Equal(["a|0", "a|2", "a|0", "a|0", "a|1", "a|0"],
            await Rows($"SELECT host, count(*) AS c FROM cpu WHERE host = 'a' AND {Range} GROUP BY host, date_bin_gapfill(INTERVAL '1 minute', time)"));
    }

    [Fact]
    public async Task Having_on_a_series_key_filters_before_gap_filling_and_on_values_after()
    {
        var sql = $"SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS m, locf(avg(usage)) AS v FROM cpu WHERE {Range} GROUP BY 1, 2 HAVING host = 'b' AND locf(avg(usage)) < 50";
        Assert.Equal(["b|00:00:00|5", "b|00:01:00|5", "b|00:02:00|5", "b|00:03:00|5", "b|00:04:00|5"], await Rows(sql));
        var plan = string.Join('\n', await Rows("EXPLAIN " + sql));
        var logical = plan[..plan.IndexOf("physical_plan", StringComparison.Ordinal)];
        // The series filter went below the gap filling (into the scan); the value filter stays above it.
        Assert.True(logical.IndexOf("Filter:", StringComparison.Ordinal) < logical.IndexOf("GapFill:", StringComparison.Ordinal), logical);
        Assert.Contains("host = 'b'", logical[logical.IndexOf("GapFill:", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_shows_gap_filling_above_the_aggregate_and_its_sort()
    {
        var rows = await Rows($"EXPLAIN SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS minute, locf(avg(usage)) FROM cpu WHERE {Range} GROUP BY 1, 2");
        var text = string.Join('\n', rows);
        Assert.Contains("GapFill: time=", text, StringComparison.Ordinal);
        Assert.Contains("fill=[locf(avg(usage))]", text, StringComparison.Ordinal);
        Assert.Contains("GapFillExec", text, StringComparison.Ordinal);
        Assert.Contains("SortExec", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE host = 'a' GROUP BY 1",
        "line 1, column 8: gap-filling query is missing both upper and lower time bounds")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE time >= '2016-01-01T00:00:00Z' GROUP BY 1",
        "gap-filling query is missing upper time bound")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE time < now() GROUP BY 1",
        "gap-filling query is missing lower time bound")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE time >= '2016-01-01T00:00:00Z' OR time < '2016-01-01T00:06:00Z' GROUP BY 1",
        "gap-filling query is missing both upper and lower time bounds")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE " + Range,
        "line 1, column 8: date_bin_gapfill may only be used as a GROUP BY expression")]
    [InlineData("SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE " + Range + " GROUP BY host",
        "date_bin_gapfill may only be used as a GROUP BY expression")]
    [InlineData("SELECT host FROM cpu WHERE date_bin_gapfill(INTERVAL '1 minute', time) > '2016-01-01T00:00:00Z'",
        "date_bin_gapfill may only be used as a GROUP BY expression")]
    [InlineData("SELECT host, locf(avg(usage)) FROM cpu GROUP BY host",
        "line 1, column 14: locf may only be used in the SELECT list of a gap-filling query")]
    [InlineData("SELECT interpolate(usage) FROM cpu",
        "interpolate may only be used in the SELECT list of a gap-filling query")]
    [InlineData("SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS m, locf(host) FROM cpu WHERE " + Range + " GROUP BY 1, 2",
        "line 1, column 64: locf must be called on an aggregate column in a gap-filling query")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, locf(avg(usage) * 2) FROM cpu WHERE " + Range + " GROUP BY 1",
        "locf must be called on an aggregate column in a gap-filling query")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, interpolate(max(host)) FROM cpu WHERE " + Range + " GROUP BY 1",
        "interpolate needs a numeric aggregate (integer or float), not a string")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, locf(avg(usage)), interpolate(avg(usage)) FROM cpu WHERE " + Range + " GROUP BY 1",
        "multiple fill strategies for the same column")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) + INTERVAL '1 minute' AS m, count(*) FROM cpu WHERE " + Range + " GROUP BY 1",
        "date_bin_gapfill must be a top-level expression in the GROUP BY clause")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS m, date_bin_gapfill(INTERVAL '2 minutes', time) AS m2, count(*) FROM cpu WHERE " + Range + " GROUP BY 1, 2",
        "date_bin_gapfill specified more than once")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', usage) AS m, count(*) FROM cpu WHERE " + Range + " GROUP BY 1",
        "line 1, column 46: argument 2 of date_bin_gapfill")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute', time + INTERVAL '1 second') AS m, count(*) FROM cpu WHERE " + Range + " GROUP BY 1",
        "date_bin_gapfill requires a column as the source argument")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 minute') AS m, count(*) FROM cpu WHERE " + Range + " GROUP BY 1",
        "date_bin_gapfill expects 2 or 3 arguments, got 1")]
    [InlineData("SELECT date_bin(INTERVAL '1 minute', time) AS a, date_bin_gapfill(INTERVAL '1 minute', time) AS m, count(*) FROM cpu WHERE " + Range + " GROUP BY 1, 2",
        "date_bin_gapfill must be the only GROUP BY key of its bins")]
    [InlineData("SELECT date_bin_gapfill(INTERVAL '1 nanosecond', time) AS m, count(*) FROM cpu WHERE " + Range + " GROUP BY 1",
        "gap filling would make 360000000000 rows per series, more than the 10000000 allowed")]
    public async Task Errors_are_positioned_and_say_what_is_wrong(string sql, string expected)
    {
        Assert.Contains(expected, await Error(sql), StringComparison.Ordinal);
    }

    /// <summary>The operator alone: series that span input batches, output batches of two rows, a null time.</summary>
    [Fact]
    public async Task Operator_joins_series_across_batches_and_cuts_its_output_to_the_batch_size()
    {
        var schema = new Schema([new Field("k", ArrowType.Utf8), new Field("t", ArrowType.TimestampNanosecond), new Field("v", ArrowType.Float64), new Field("c", ArrowType.Int64)]);
        static RecordBatch Batch(Schema schema, params (string K, long? T, double? V, long C)[] rows)
        {
            using var keys = new VariableWidthArrayBuilder(ArrowType.Utf8);
            foreach (var r in rows)
            {
                keys.Append(r.K);
            }
            return new(schema,
        [
            keys.Build(),
            Columns.FromValues(ArrowType.TimestampNanosecond, [.. rows.Select(r => r.T ?? 0)], [.. rows.Select(r => r.T is not null)]),
            Columns.FromValues(ArrowType.Float64, [.. rows.Select(r => r.V ?? 0)], [.. rows.Select(r => r.V is not null)]),
            Columns.FromValues(ArrowType.Int64, [.. rows.Select(r => r.C)], null),
        ], rows.Length);
        }
        // Already sorted by (k, t nulls first): x spans all three batches.
        var input = new ValuesExec(schema,
        [
            Batch(schema, ("w", 10, 1.0, 1), ("x", null, 9.0, 9)),
            Batch(schema, ("x", 10, 1.0, 1)),
            Batch(schema, ("x", 40, 4.0, 4), ("y", 20, 2.0, 2)),
        ], "input");
        var exec = new GapFillExec(input, 1, [0], [new GapFillColumn(2, GapFillStrategy.Interpolate), new GapFillColumn(3, GapFillStrategy.Default, 0L)], 0, 40, 10);
        var context = new TaskContext(_source, new QueryMemoryPool(1 << 20), new EvalContext(0), new SpillDirectory(Path.GetTempPath()), CancellationToken.None) { BatchSize = 2 };
        var rows = new List<string>();
        await foreach (var batch in exec.ExecuteAsync(context))
        {
            Assert.True(batch.Length <= 2);
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))));
            }
        }
        Assert.Equal(
        [
            "w|0|NULL|0", "w|10|1|1", "w|20|NULL|0", "w|30|NULL|0", "w|40|NULL|0",
            "x|NULL|9|9", "x|0|NULL|0", "x|10|1|1", "x|20|2|0", "x|30|3|0", "x|40|4|4",
            "y|0|NULL|0", "y|10|NULL|0", "y|20|2|2", "y|30|NULL|0", "y|40|NULL|0",
        ], rows);
    }

    /// <summary>A constant fill in a string column (InfluxQL's fill(7) beside a string field): filled rows get it, a present null stays null.</summary>
    [Fact]
    public async Task Operator_fills_a_string_column_with_a_constant()
    {
        var schema = new Schema([new Field("t", ArrowType.TimestampNanosecond), new Field("s", ArrowType.Utf8)]);
        using var strings = new VariableWidthArrayBuilder(ArrowType.Utf8);
        strings.Append("a");
        strings.AppendNull();
        var input = new ValuesExec(schema, [new RecordBatch(schema, [Columns.FromValues(ArrowType.TimestampNanosecond, [0L, 20L], null), strings.Build()], 2)], "input");
        var exec = new GapFillExec(input, 0, [], [new GapFillColumn(1, GapFillStrategy.Default, "7")], 0, 30, 10);
        var context = new TaskContext(_source, new QueryMemoryPool(1 << 20), new EvalContext(0), new SpillDirectory(Path.GetTempPath()), CancellationToken.None);
        var rows = new List<string>();
        await foreach (var batch in exec.ExecuteAsync(context))
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))));
            }
        }
        Assert.Equal(["0|a", "10|7", "20|NULL", "30|7"], rows);
    }

    /// <summary>Unsigned values on a falling line (no wrap-around), and locf over a series held across batches.</summary>
    [Fact]
    public async Task Operator_interpolates_unsigned_values_downward_and_carries_locf_across_batches()
    {
        var schema = new Schema([new Field("t", ArrowType.TimestampNanosecond), new Field("u", ArrowType.UInt64), new Field("l", ArrowType.Float64)]);
        static RecordBatch Batch(Schema schema, params (long T, ulong? U, double? L)[] rows) => new(schema,
        [
            Columns.FromValues(ArrowType.TimestampNanosecond, [.. rows.Select(r => r.T)], null),
            Columns.FromValues(ArrowType.UInt64, [.. rows.Select(r => r.U ?? 0)], [.. rows.Select(r => r.U is not null)]),
            Columns.FromValues(ArrowType.Float64, [.. rows.Select(r => r.L ?? 0)], [.. rows.Select(r => r.L is not null)]),
        ], rows.Length);
        // One series (no keys) in two batches: 100 at 0, 0 at 30 (a NULL l there), nothing at 10, 20 and 40.
        var input = new ValuesExec(schema, [Batch(schema, (0, 100, 1.5)), Batch(schema, (30, 0, null))], "input");
        var exec = new GapFillExec(input, 0, [], [new GapFillColumn(1, GapFillStrategy.Interpolate), new GapFillColumn(2, GapFillStrategy.Locf)], 0, 40, 10);
        var context = new TaskContext(_source, new QueryMemoryPool(1 << 20), new EvalContext(0), new SpillDirectory(Path.GetTempPath()), CancellationToken.None);
        var rows = new List<string>();
        await foreach (var batch in exec.ExecuteAsync(context))
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))));
            }
        }
        Assert.Equal(["0|100|1.5", "10|66|1.5", "20|33|1.5", "30|0|1.5", "40|NULL|1.5"], rows);
    }
}
