using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query.Aggregation;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Tests;

/// <summary>
/// Hand-computed answers for the rules the random tests could miss (ties, NULL handling, tags with different
/// dictionaries, overflow, exact unsigned values) and the signature errors with the argument they point at.
/// </summary>
public sealed class AggregationSemanticsTests
{
    private static readonly AggregateCallOptions None = AggregateCallOptions.None;

    private static IGroupsAccumulator Create(string name, ArrowType[] types, AggregateCallOptions? options = null)
    {
        Assert.True(AggregateFunctions.TryGet(name, out var function));
        return function.Create(types, options ?? None);
    }

    private static ArrowArray Longs(params long?[] values) =>
        Columns.FromValues(ArrowType.Int64, values.Select(v => v ?? 0).ToArray(), values.Select(v => v.HasValue).ToArray());

    private static ArrowArray Doubles(params double?[] values) =>
        Columns.FromValues(ArrowType.Float64, values.Select(v => v ?? 0).ToArray(), values.Select(v => v.HasValue).ToArray());

    private static ArrowArray Times(params long?[] values) =>
        Columns.FromValues(ArrowType.TimestampNanosecond, values.Select(v => v ?? 0).ToArray(), values.Select(v => v.HasValue).ToArray());

    private static DictionaryArray Tags(string[] dictionaryOrder, params string?[] values)
    {
        using var builder = new DictionaryArrayBuilder();
        foreach (var entry in dictionaryOrder)
        {
            builder.AddValue(System.Text.Encoding.UTF8.GetBytes(entry));
        }
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    private static object?[] Values(ArrowArray array) => [.. Enumerable.Range(0, array.Length).Select(array.GetObject)];

    [Fact]
    public void Registry_has_every_aggregate_of_the_engine_it_replaced()
    {
        string[] before =
        [
            "count", "sum", "avg", "mean", "min", "max", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "var", "median",
            "first_value", "last_value", "approx_percentile_cont", "selector_first", "selector_last", "selector_min", "selector_max",
            // Added with InfluxQL.
            "mode",
        ];
        Assert.Equal(before.Order(StringComparer.Ordinal), AggregateFunctions.Names.Order(StringComparer.Ordinal));
        Assert.False(AggregateFunctions.TryGet("nope", out _));
        Assert.True(AggregateFunctions.TryGet("stddev", out var f));
        Assert.Equal("stddev", f.Name);
    }

    [Fact]
    public void Count_star_counts_null_rows_and_count_x_does_not()
    {
        var star = Create("count", []);
        var count = Create("count", [ArrowType.Int64]);
        var x = Longs(1, null, 3, null);
        star.Update([], [0, 0, 1, 1], 3, null);
        count.Update([x], [0, 0, 1, 1], 3, null);
        Assert.Equal([2L, 2L, 0L], Values(star.Evaluate()));
        Assert.Equal([1L, 1L, 0L], Values(count.Evaluate()));
        var nulls = Create("count", [ArrowType.Null]);
        nulls.Update([new NullArray(3)], [0, 0, 0], 1, null);
        Assert.Equal([0L], Values(nulls.Evaluate()));
    }

    [Fact]
    public void Count_distinct_over_tags_counts_strings_across_dictionaries()
    {
        var accumulator = Create("count", [ArrowType.DictionaryUtf8], None with { Distinct = true });
        // The same strings under different indices in each batch, and an index that is never used.
        accumulator.Update([Tags(["a", "b", "c"], "a", "b", null, "a")], [0, 0, 0, 1], 2, null);
        accumulator.Update([Tags(["c", "b", "a"], "b", "a", "c", "c")], [0, 1, 1, 1], 2, null);
        Assert.Equal([2L, 2L], Values(accumulator.Evaluate()));
    }

    [Fact]
    public void Count_distinct_folds_nan_and_negative_zero()
    {
        var accumulator = Create("count", [ArrowType.Float64], None with { Distinct = true });
        accumulator.Update([Doubles(0.0, -0.0, double.NaN, -double.NaN, null, 1)], new int[6], 1, null);
        Assert.Equal([3L], Values(accumulator.Evaluate()));
    }

    [Fact]
    public void Sum_overflow_is_an_error_in_update_and_in_merge()
    {
        var one = Create("sum", [ArrowType.Int64]);
        var error = Assert.Throws<FunctionException>(() => one.Update([Longs(long.MaxValue, 1)], [0, 0], 1, null));
        Assert.Equal("integer overflow", error.Message);

        var a = Create("sum", [ArrowType.Int64]);
        var b = Create("sum", [ArrowType.Int64]);
        a.Update([Longs(long.MaxValue - 1)], [0], 1, null);
        b.Update([Longs(2)], [0], 1, null);
        Assert.Throws<FunctionException>(() => a.Merge(b, [0], 1));

        var u = Create("sum", [ArrowType.UInt64]);
        Assert.Throws<FunctionException>(() => u.Update([Columns.FromValues(ArrowType.UInt64, [ulong.MaxValue, 1UL], null)], [0, 0], 1, null));
    }

    [Fact]
    public void Sum_types_and_empty_groups()
    {
        var small = Create("sum", [ArrowType.UInt32]);
        small.Update([Columns.FromValues(ArrowType.UInt32, [uint.MaxValue, uint.MaxValue, 5u], null)], [0, 0, 1], 3, null);
        var result = small.Evaluate();
        Assert.Equal(ArrowType.UInt64, result.Type);
        Assert.Equal([2UL * uint.MaxValue, 5UL, null], Values(result));

        var ints = Create("sum", [ArrowType.Int32]);
        ints.Update([Columns.FromValues(ArrowType.Int32, [int.MaxValue, int.MaxValue], null)], [0, 0], 1, null);
        Assert.Equal([2L * int.MaxValue], Values(ints.Evaluate()));

        var floats = Create("sum", [ArrowType.Float32]);
        floats.Update([Columns.FromValues(ArrowType.Float32, [1.5f, 2.25f], [true, false])], [0, 1], 2, null);
        Assert.Equal([1.5, null], Values(floats.Evaluate()));
    }

    [Fact]
    public void Statistics_by_hand()
    {
        var x = Doubles(1, 2, 3, 4, null, 10);
        int[] ids = [0, 0, 0, 0, 0, 1];
        object? Run(string name, int group)
        {
            var accumulator = Create(name, [ArrowType.Float64]);
            accumulator.Update([x], ids, 3, null);
            return accumulator.Evaluate().GetObject(group);
        }
        Assert.Equal(2.5, Run("avg", 0));
        Assert.Equal(2.5, Run("median", 0));
        Assert.Equal(10.0, Run("median", 1));
        Assert.Equal(5.0 / 3, (double)Run("var_samp", 0)!, 12);
        Assert.Equal(1.25, (double)Run("var_pop", 0)!, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), (double)Run("stddev", 0)!, 12);
        Assert.Null(Run("stddev", 1));       // one value: no sample deviation
        Assert.Equal(0.0, Run("stddev_pop", 1));
        Assert.Null(Run("avg", 2));
        Assert.Null(Run("median", 2));
    }

    [Fact]
    public void Median_of_integers_stays_an_integer_as_in_datafusion()
    {
        var median = Create("median", [ArrowType.Int64]);
        median.Update([Columns.FromValues(ArrowType.Int64, [1L, 2L, 4L, 7L, -3L, 0L, long.MaxValue - 2, long.MaxValue], null)], [0, 0, 0, 1, 2, 2, 3, 3], 4, null);
        var result = median.Evaluate();
        Assert.Equal(ArrowType.Int64, result.Type);
        // odd: the middle one; even: (a + b) / 2 truncated toward zero, wrapping as DataFusion's add_wrapping does.
        Assert.Equal([2L, 7L, -1L, unchecked((long.MaxValue - 2) + long.MaxValue) / 2], Enumerable.Range(0, 4).Select(g => (long)result.GetObject(g)!));
        var unsigned = Create("median", [ArrowType.UInt64]);
        unsigned.Update([Columns.FromValues(ArrowType.UInt64, [ulong.MaxValue - 1, ulong.MaxValue - 3, 5UL], null)], [0, 0, 0], 1, null);
        Assert.Equal(ulong.MaxValue - 3, unsigned.Evaluate().GetObject(0));
    }

    [Fact]
    public void Min_max_of_uint64_is_exact_past_2_to_the_53()
    {
        var values = Columns.FromValues(ArrowType.UInt64, [ulong.MaxValue - 1, ulong.MaxValue, (1UL << 53) + 1, 1UL << 53], null);
        var max = Create("max", [ArrowType.UInt64]);
        var min = Create("min", [ArrowType.UInt64]);
        max.Update([values], [0, 0, 1, 1], 2, null);
        min.Update([values], [0, 0, 1, 1], 2, null);
        Assert.Equal([ulong.MaxValue, (1UL << 53) + 1], Values(max.Evaluate()));
        Assert.Equal([ulong.MaxValue - 1, 1UL << 53], Values(min.Evaluate()));
    }

    [Fact]
    public void Min_max_rules()
    {
        var max = Create("max", [ArrowType.Float64]);
        var min = Create("min", [ArrowType.Float64]);
        var x = Doubles(double.NaN, 1, null, null);
        max.Update([x], [0, 0, 1, 2], 4, null);
        min.Update([x], [0, 0, 1, 2], 4, null);
        Assert.Equal([double.NaN, null, null, null], Values(max.Evaluate()));   // NaN orders above every number
        Assert.Equal([1.0, null, null, null], Values(min.Evaluate()));

        // Strings: UTF-16 order, as string.CompareOrdinal (U+E000 sorts above an emoji's surrogates), tags as utf8.
        var tags = Create("max", [ArrowType.DictionaryUtf8]);
        tags.Update([Tags(["😀", "\uE000"], "😀", "b")], [0, 0], 1, null);
        tags.Update([Tags(["\uE000"], "\uE000", null)], [0, 0], 1, null);
        var result = tags.Evaluate();
        Assert.Equal(ArrowType.Utf8, result.Type);
        Assert.Equal(["\uE000"], Values(result));

        var booleans = Create("min", [ArrowType.Boolean]);
        booleans.Update([Columns.FromBools([true, false, null, true])], [0, 0, 1, 1], 2, null);
        Assert.Equal([false, true], Values(booleans.Evaluate()));

        var times = Create("max", [ArrowType.TimestampNanosecond]);
        times.Update([Times(5, 9, null)], [0, 0, 0], 1, null);
        Assert.Equal(ArrowType.TimestampNanosecond, times.Evaluate().Type);
        Assert.Equal([9L], Values(times.Evaluate()));
    }

    /// <summary>large_utf8/large_binary: 64-bit offsets in and out.</summary>
    private static ArrowArray Large(ArrowType type, params string?[] values)
    {
        var data = new List<byte>();
        var offsets = new List<byte>(BitConverter.GetBytes(0L));
        var validity = new byte[(values.Length + 7) / 8];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } v)
            {
                data.AddRange(System.Text.Encoding.UTF8.GetBytes(v));
                validity[i / 8] |= (byte)(1 << (i % 8));
            }
            offsets.AddRange(BitConverter.GetBytes((long)data.Count));
        }
        return ArrowArray.Create(new ArrayData(type, values.Length, -1, [validity, offsets.ToArray(), data.ToArray()]));
    }

    [Fact]
    public void Large_strings_and_binary_keep_their_type()
    {
        var min = Create("min", [ArrowType.LargeUtf8]);
        min.Update([Large(ArrowType.LargeUtf8, "b", null, "a", "c")], [0, 1, 0, 0], 3, null);
        var result = min.Evaluate();
        Assert.Equal(ArrowType.LargeUtf8, result.Type);
        Assert.Equal(["a", null, null], Values(result));

        var last = Create("last_value", [ArrowType.LargeBinary]);
        last.Update([Large(ArrowType.LargeBinary, "x", "yz", null)], [0, 0, 1], 2, null);
        var bytes = last.Evaluate();
        Assert.Equal(ArrowType.LargeBinary, bytes.Type);
        Assert.Equal("yz"u8.ToArray(), (byte[])bytes.GetObject(0)!);
        Assert.Null(bytes.GetObject(1));
    }

    [Fact]
    public void First_and_last_value_keep_nulls_and_break_ties_by_row_order()
    {
        var order = None with { OrderBy = [(false, false)] };
        var first = Create("first_value", [ArrowType.Int64, ArrowType.TimestampNanosecond], order);
        var last = Create("last_value", [ArrowType.Int64, ArrowType.TimestampNanosecond], order);
        // Group 0: time 1 twice (values NULL then 20), time 2; group 1: only a NULL time (NULLS LAST) and time 4.
        var x = Longs(null, 20, 30, 40, 50);
        var t = Times(1, 1, 2, null, 4);
        int[] ids = [0, 0, 0, 1, 1];
        first.Update([x, t], ids, 2, null);
        last.Update([x, t], ids, 2, null);
        Assert.Equal([null, 50L], Values(first.Evaluate()));   // the first row at the earliest time holds NULL: kept
        Assert.Equal([30L, 40L], Values(last.Evaluate()));     // NULL time sorts last

        var tie = Create("last_value", [ArrowType.Int64, ArrowType.TimestampNanosecond], order);
        tie.Update([Longs(1, 2), Times(7, 7)], [0, 0], 1, null);
        tie.Update([Longs(3), Times(7)], [0], 1, null);
        Assert.Equal([3L], Values(tie.Evaluate()));   // ties: the last row in input order

        var plain = Create("first_value", [ArrowType.Int64]);
        plain.Update([Longs(null, 1)], [0, 0], 1, null);
        Assert.Equal([null], Values(plain.Evaluate()));
    }

    [Fact]
    public void Selectors_skip_null_values_and_break_ties_as_today()
    {
        var value = Doubles(null, 5, 5, 7, double.NaN, 7);
        var time = Times(0, 10, 20, 10, 40, 30);
        long?[] Run(string name, string member)
        {
            var accumulator = Create(name, [ArrowType.Float64, ArrowType.TimestampNanosecond], None with { Parameter = member });
            accumulator.Update([value, time], new int[6], 1, null);
            var result = accumulator.Evaluate();
            return [result.GetObject(0) is double d ? (long)d : (long?)result.GetObject(0)];
        }
        Assert.Equal([5L], Run("selector_first", "value"));    // time 0 holds NULL: skipped; time 10 tie: the earlier row
        Assert.Equal([10L], Run("selector_first", "time"));
        Assert.Equal([40L], Run("selector_last", "time"));     // NaN values are not NULL: kept when ordering by time
        Assert.Equal([5L], Run("selector_min", "value"));
        Assert.Equal([10L], Run("selector_min", "time"));      // value tie: the earlier row
        Assert.Equal([30L], Run("selector_max", "time"));      // NaN keys skipped; value tie: the later row
    }

    [Fact]
    public void Filter_and_merge_grow_to_the_group_count()
    {
        var a = Create("count", [ArrowType.Int64]);
        a.Update([Longs(1, 2, 3)], [0, 1, 0], 2, Columns.FromBools([true, null, false]));
        var b = Create("count", [ArrowType.Int64]);
        b.Update([Longs(1, 2)], [0, 1], 2, null);
        a.Merge(b, [3, 1], 5);
        Assert.Equal([1L, 1L, 0L, 1L, 0L], Values(a.Evaluate()));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Merge(b, [0, 5], 5));
        Assert.Throws<ArgumentException>(() => a.Update([Longs(1)], [0, 0], 5, null));
    }

    [Fact]
    public void Evaluate_leaves_the_state_usable()
    {
        var median = Create("median", [ArrowType.Float64]);
        median.Update([Doubles(3, 1)], [0, 0], 1, null);
        Assert.Equal([2.0], Values(median.Evaluate()));
        median.Update([Doubles(0)], [0], 1, null);
        Assert.Equal([1.0], Values(median.Evaluate()));
    }

    [Fact]
    public void Percentile_state_stays_bounded_while_median_keeps_every_value()
    {
        var values = Columns.FromValues(ArrowType.Float64, Enumerable.Range(0, 100_000).Select(i => (double)(i * 7919 % 100_000)).ToArray(), null);
        var ids = new int[values.Length];
        var percentile = Create("approx_percentile_cont", [ArrowType.Float64, ArrowType.Float64], None with { Parameter = 0.5 });
        var median = Create("median", [ArrowType.Float64]);
        var small = Create("approx_percentile_cont", [ArrowType.Float64, ArrowType.Float64], None with { Parameter = 0.5 });
        small.Update([values.Slice(0, 10)], ids.AsSpan(0, 10), 1, null);
        percentile.Update([values], ids, 1, null);
        median.Update([values], ids, 1, null);
        Assert.InRange(small.MemoryBytes, 1, 1_000);
        Assert.InRange(percentile.MemoryBytes, small.MemoryBytes + 1, 2 * 8 * (TDigest.ExactLimit + 1) + 1_000);
        Assert.True(median.MemoryBytes >= 8L * values.Length, $"{median.MemoryBytes}");
        Assert.Equal(49_999.5, (double)median.Evaluate().GetObject(0)!);
        Assert.InRange((double)percentile.Evaluate().GetObject(0)!, 49_500, 50_500);
    }

    public static TheoryData<string, ArrowType[], AggregateCallOptions, int?, string> Errors() => new()
    {
        { "sum", [ArrowType.Utf8], None, 0, "sum needs a numeric argument, found utf8" },
        { "sum", [ArrowType.TimestampNanosecond], None, 0, "sum needs a numeric argument" },
        { "avg", [ArrowType.Boolean], None, 0, "avg needs a numeric argument, found boolean" },
        { "mean", [ArrowType.DictionaryUtf8], None, 0, "mean needs a numeric argument" },
        { "stddev_pop", [ArrowType.Utf8], None, 0, "stddev_pop needs a numeric argument" },
        { "median", [ArrowType.Boolean], None, 0, "median needs a numeric argument" },
        { "approx_percentile_cont", [ArrowType.Utf8, ArrowType.Float64], None with { Parameter = 0.5 }, 0, "needs a numeric argument" },
        { "approx_percentile_cont", [ArrowType.Float64, ArrowType.Utf8], None with { Parameter = 0.5 }, 1, "between 0 and 1" },
        { "approx_percentile_cont", [ArrowType.Float64, ArrowType.Float64], None with { Parameter = 1.5 }, 1, "between 0 and 1" },
        { "approx_percentile_cont", [ArrowType.Float64, ArrowType.Float64], None, 1, "between 0 and 1" },
        { "approx_percentile_cont", [ArrowType.Float64, ArrowType.Float64, ArrowType.Float64], None with { Parameter = 0.5 }, null, "takes a value and a percentile" },
        { "min", [ArrowType.Binary], None, 0, "min/max of binary is not supported" },
        { "max", [ArrowType.Null], None, 0, "min/max of null is not supported" },
        { "sum", [ArrowType.Int64], None with { Distinct = true }, null, "sum(DISTINCT …) is not supported yet" },
        { "avg", [ArrowType.Int64], None with { Distinct = true }, null, "avg(DISTINCT …) is not supported yet" },
        { "sum", [ArrowType.Int64], None with { OrderBy = [(false, false)] }, null, "ORDER BY inside sum(…) is not supported yet" },
        { "sum", [], None, null, "sum takes one argument" },
        { "count", [ArrowType.Int64, ArrowType.Int64], None, null, "count takes one argument" },
        { "first_value", [ArrowType.Int64], None with { OrderBy = [(false, false)] }, null, "first_value takes one argument" },
        { "selector_first", [ArrowType.Float64, ArrowType.TimestampNanosecond], None with { Parameter = "tag" }, null, "has the fields 'value' and 'time', not 'tag'" },
        { "selector_max", [ArrowType.Float64, ArrowType.TimestampNanosecond], None, null, "use selector_max(…)['value']" },
        { "selector_min", [ArrowType.Float64], None with { Parameter = "value" }, null, "selector_min takes a value and a time" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Bad_calls_fail_at_plan_time_with_the_argument(string name, ArrowType[] types, AggregateCallOptions options, int? argument, string message)
    {
        Assert.True(AggregateFunctions.TryGet(name, out var function));
        var error = Assert.Throws<FunctionException>(() => function.ReturnType(types, options));
        Assert.Equal(argument, error.Argument);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Throws<FunctionException>(() => function.Create(types, options));
    }
}
