using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Tests;

/// <summary>The scalar function registry: signatures, kernels over arrays and constants, and their errors.</summary>
public sealed class ScalarFunctionTests
{
    private const long Now = 1_704_067_200_000_000_000L; // 2024-01-01T00:00:00Z

    private static ScalarFunction Get(string name) =>
        ScalarFunctions.TryGet(name, out var f) ? f : throw new Xunit.Sdk.XunitException($"no function '{name}'");

    private static ArrowType TypeOf(object? arg) => arg switch
    {
        ArrowArray a => a.Type,
        null => ArrowType.Null,
        long or IntervalScalar => ArrowType.Int64,
        ulong => ArrowType.UInt64,
        double => ArrowType.Float64,
        string => ArrowType.Utf8,
        bool => ArrowType.Boolean,
        TimestampScalar => ArrowType.TimestampNanosecond,
        _ => throw new ArgumentException($"no test type for {arg.GetType()}"),
    };

    /// <summary>
    /// Binds and runs a call as the planner would: the return type from the argument types, then the kernel; checks
    /// that the answer has that type and is a constant exactly when every argument was one.
    /// </summary>
    private static ColumnarValue Call(string name, params object?[]? args)
    {
        // xUnit passes a lone null InlineData argument as a null params array.
        args ??= [null];
        var f = Get(name);
        var types = new ArrowType[args.Length];
        var values = new ColumnarValue[args.Length];
        var rows = 1;
        var allScalar = true;
        for (var i = 0; i < args.Length; i++)
        {
            types[i] = TypeOf(args[i]);
            if (args[i] is ArrowArray array)
            {
                values[i] = ColumnarValue.Of(array);
                rows = array.Length;
                allScalar = false;
            }
            else
            {
                values[i] = ColumnarValue.Constant(args[i]);
            }
        }
        var type = f.ReturnType(types);
        var result = f.Invoke(new FunctionArguments(values, types, rows, Now));
        Assert.Equal(allScalar && !f.IsVolatile, result.IsScalar);
        if (result.IsScalar)
        {
            var expected = result.Scalar switch
            {
                null => type,
                long => ArrowType.Int64,
                ulong => ArrowType.UInt64,
                double => ArrowType.Float64,
                string => ArrowType.Utf8,
                bool => ArrowType.Boolean,
                TimestampScalar => ArrowType.TimestampNanosecond,
                var o => throw new Xunit.Sdk.XunitException($"unexpected scalar {o.GetType()}"),
            };
            Assert.Equal(type, expected);
        }
        else
        {
            Assert.Equal(rows, result.Array!.Length);
            if (type.Id != ArrowTypeId.Null)
            {
                Assert.Equal(type, result.Array.Type);
            }
        }
        return result;
    }

    private static string Show(object? value) => value switch
    {
        null => "NULL",
        TimestampScalar t => TimestampText.Format(t.Nanos),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string[] Rows(ColumnarValue v)
    {
        if (v.IsScalar)
        {
            return [Show(v.Scalar)];
        }
        var a = v.Array!;
        var rows = new string[a.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = a.IsNull(i) ? "NULL" : a is TimestampArray t ? TimestampText.Format(t.GetValue(i)) : Show(a.GetObject(i));
        }
        return rows;
    }

    private static long T(string rfc3339) => TimeText.TryParseTimestamp(rfc3339, out var ns) ? ns : throw new ArgumentException(rfc3339);

    private static ArrowArray Ints(params long?[] values)
    {
        var v = new long[values.Length];
        var valid = new bool[values.Length];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = values[i] ?? 0;
            valid[i] = values[i].HasValue;
        }
        return Columns.FromValues(ArrowType.Int64, v, valid);
    }

    private static ArrowArray Floats(params double?[] values)
    {
        var v = new double[values.Length];
        var valid = new bool[values.Length];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = values[i] ?? 0;
            valid[i] = values[i].HasValue;
        }
        return Columns.FromValues(ArrowType.Float64, v, valid);
    }

    private static ArrowArray Times(params string?[] values)
    {
        var v = new long[values.Length];
        var valid = new bool[values.Length];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = values[i] is { } s ? T(s) : 0;
            valid[i] = values[i] is not null;
        }
        return Columns.FromValues(ArrowType.TimestampNanosecond, v, valid);
    }

    private static ArrowArray Strings(params string?[] values) => Columns.FromStrings(values);

    /// <summary>A tag column: dictionary&lt;int32, utf8&gt;.</summary>
    private static DictionaryArray Tags(params string?[] values)
    {
        using var builder = new DictionaryArrayBuilder();
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    // ---------------------------------------------------------------- constants in, constant out

    [Theory]
    [InlineData("3", "abs", -3L)]
    [InlineData("2.5", "abs", -2.5)]
    [InlineData("NULL", "abs", null)]
    [InlineData("3", "round", 2.5)]
    [InlineData("-3", "round", -2.5)]
    [InlineData("3.14", "round", 3.14159, 2L)]
    [InlineData("1230", "round", 1234.5, -1L)]
    [InlineData("1200", "round", 1234L, -2L)]
    [InlineData("1300", "round", 1250L, -2L)]
    [InlineData("-1300", "round", -1250L, -2L)]
    [InlineData("NULL", "round", 1.5, null)]
    [InlineData("3.14", "trunc", 3.149, 2L)]
    [InlineData("-3", "trunc", -3.9)]
    [InlineData("1200", "trunc", 1299L, -2L)]
    [InlineData("-2", "floor", -1.5)]
    [InlineData("-1", "ceil", -1.5)]
    [InlineData("2", "ceiling", 1.2)]
    [InlineData("7", "floor", 7L)]
    [InlineData("3", "sqrt", 9L)]
    [InlineData("NaN", "sqrt", -1.0)]
    [InlineData("2", "cbrt", 8.0)]
    [InlineData("1", "exp", 0L)]
    [InlineData("0", "ln", 1L)]
    [InlineData("-Infinity", "ln", 0L)]
    [InlineData("3", "log10", 1000L)]
    [InlineData("3", "log2", 8L)]
    [InlineData("2", "log", 100L)]
    [InlineData("3", "log", 2L, 8L)]
    [InlineData("1024", "power", 2L, 10L)]
    [InlineData("0.5", "pow", 4L, -0.5)]
    [InlineData("0", "signum", 0L)]
    [InlineData("-1", "signum", -5.5)]
    [InlineData("1", "signum", 3L)]
    [InlineData("180", "degrees", Math.PI)]
    [InlineData("0.7853981633974483", "atan2", 1.0, 1.0)]
    [InlineData("0.6420926159343306", "cot", 1.0)]
    [InlineData("0", "sin", 0L)]
    [InlineData("1", "cos", 0L)]
    [InlineData("3.141592653589793", "pi")]
    [InlineData("true", "isnan", double.NaN)]
    [InlineData("false", "isnan", 1L)]
    [InlineData("true", "iszero", 0.0)]
    [InlineData("false", "iszero", -2L)]
    [InlineData("5", "nanvl", double.NaN, 5.0)]
    [InlineData("1", "nanvl", 1.0, 5.0)]
    [InlineData("6", "gcd", 12L, 18L)]
    [InlineData("6", "gcd", -12L, 18L)]
    [InlineData("0", "gcd", 0L, 0L)]
    [InlineData("36", "lcm", 12L, 18L)]
    [InlineData("0", "lcm", 0L, 5L)]
    [InlineData("120", "factorial", 5L)]
    [InlineData("1", "factorial", 0L)]
    [InlineData("2432902008176640000", "factorial", 20L)]
    public void Math_functions_on_constants(string expected, string function, params object?[] args) =>
        Assert.Equal([expected], Rows(Call(function, args)));

    [Theory]
    [InlineData("2", "coalesce", null, 2L, 3L)]
    [InlineData("2", "coalesce", null, 2L, 2.5)]
    [InlineData("NULL", "coalesce", null, null)]
    [InlineData("x", "coalesce", null, "x")]
    [InlineData("NULL", "nullif", 1L, 1L)]
    [InlineData("1", "nullif", 1L, 2L)]
    [InlineData("NULL", "nullif", "a", "a")]
    [InlineData("NULL", "nullif", null, "a")]
    [InlineData("3", "greatest", 1L, null, 3L, 2L)]
    [InlineData("1", "least", 1L, null, 3L)]
    [InlineData("b", "greatest", "a", "b")]
    [InlineData("NaN", "greatest", 1.0, double.NaN)]
    [InlineData("1", "least", 1.0, double.NaN)]
    [InlineData("NULL", "greatest", null, null)]
    [InlineData("true", "greatest", false, true)]
    public void Conditional_functions_on_constants(string expected, string function, params object?[] args) =>
        Assert.Equal([expected], Rows(Call(function, args)));

    [Theory]
    [InlineData("ABC", "upper", "abC")]
    [InlineData("abc", "lower", "ABC")]
    [InlineData("Hello World", "initcap", "hELLO wORLD")]
    [InlineData("Foo-Bar 1x", "initcap", "foo-bar 1X")]
    [InlineData("cba", "reverse", "abc")]
    [InlineData("a😀", "reverse", "😀a")]
    [InlineData("5", "length", "héllo")]
    [InlineData("2", "char_length", "😀a")]
    [InlineData("2", "character_length", "ab")]
    [InlineData("6", "octet_length", "héllo")]
    [InlineData("48", "bit_length", "héllo")]
    [InlineData("97", "ascii", "abc")]
    [InlineData("0", "ascii", "")]
    [InlineData("128512", "ascii", "😀")]
    [InlineData("A", "chr", 65L)]
    [InlineData("😀", "chr", 128512L)]
    [InlineData("ff", "to_hex", 255L)]
    [InlineData("ffffffffffffffff", "to_hex", -1L)]
    [InlineData("phabet", "substr", "alphabet", 3L)]
    [InlineData("ph", "substr", "alphabet", 3L, 2L)]
    [InlineData("al", "substring", "alphabet", 0L, 3L)]
    [InlineData("", "substr", "alphabet", 10L)]
    [InlineData("b😀", "substr", "a😀b😀c", 3L, 2L)]
    [InlineData("NULL", "substr", "alphabet", null)]
    [InlineData("ab", "left", "abcde", 2L)]
    [InlineData("abc", "left", "abcde", -2L)]
    [InlineData("abcde", "left", "abcde", 10L)]
    [InlineData("de", "right", "abcde", 2L)]
    [InlineData("cde", "right", "abcde", -2L)]
    [InlineData("", "right", "abcde", -7L)]
    [InlineData("xyxhi", "lpad", "hi", 5L, "xy")]
    [InlineData("   hi", "lpad", "hi", 5L)]
    [InlineData("hel", "lpad", "hello", 3L)]
    [InlineData("hel", "rpad", "hello", 3L)]
    [InlineData("hixyx", "rpad", "hi", 5L, "xy")]
    [InlineData("", "lpad", "hi", -1L)]
    [InlineData("hi", "lpad", "hi", 5L, "")]
    [InlineData("ababab", "repeat", "ab", 3L)]
    [InlineData("", "repeat", "ab", 0L)]
    [InlineData("a b", "trim", "  a b  ")]
    [InlineData("a b  ", "ltrim", "  a b  ")]
    [InlineData("  a b", "rtrim", "  a b  ")]
    [InlineData("b", "btrim", "xyxbyx", "xy")]
    [InlineData("\ta\t", "trim", "\ta\t")]
    [InlineData("true", "starts_with", "alphabet", "alph")]
    [InlineData("false", "ends_with", "alphabet", "alph")]
    [InlineData("NULL", "starts_with", null, "alph")]
    [InlineData("3", "strpos", "alphabet", "pha")]
    [InlineData("0", "strpos", "abc", "x")]
    [InlineData("2", "instr", "😀bc", "b")]
    [InlineData("axxc", "replace", "abbc", "b", "x")]
    [InlineData("xaxbx", "replace", "ab", "", "x")]
    [InlineData("b", "split_part", "a.b.c", ".", 2L)]
    [InlineData("c", "split_part", "a.b.c", ".", -1L)]
    [InlineData("a", "split_part", "a.b.c", ".", -3L)]
    [InlineData("", "split_part", "a.b.c", ".", 4L)]
    [InlineData("", "split_part", "a.b.c", ".", -4L)]
    [InlineData("b", "split_part", "a::b::c", "::", 2L)]
    [InlineData("a.b.c", "split_part", "a.b.c", "", 1L)]
    [InlineData("ab1", "concat", "a", null, "b", 1L)]
    [InlineData("", "concat", null, null)]
    [InlineData("x1.5|2.0|true", "concat", "x", 1.5, "|", 2.0, "|", true)]
    [InlineData("a,b", "concat_ws", ",", "a", null, "b")]
    [InlineData("NULL", "concat_ws", null, "a")]
    public void String_functions_on_constants(string expected, string function, params object?[] args) =>
        Assert.Equal([expected], Rows(Call(function, args)));

    [Theory]
    [InlineData("true", "regexp_like", "Hello", "^h", "i")]
    [InlineData("false", "regexp_like", "Hello", "^h")]
    [InlineData("true", "regexp_like", "a1", "\\d")]
    [InlineData("NULL", "regexp_like", "a1", null)]
    [InlineData("fXo bar", "regexp_replace", "foo bar", "o", "X")]
    [InlineData("fXX bar", "regexp_replace", "foo bar", "o", "X", "g")]
    [InlineData("X-X-X", "regexp_replace", "A-b-C", "[a-z]", "X", "gi")]
    [InlineData("bar foo", "regexp_replace", "foo bar", "(\\w+) (\\w+)", "${2} ${1}")]
    [InlineData("bar foo", "regexp_replace", "foo bar", "(\\w+) (\\w+)", "\\2 \\1")]
    [InlineData("bar foo", "regexp_replace", "foo bar", "(\\w+) (\\w+)", "$2 $1")]
    [InlineData("bar-foo", "regexp_replace", "foo bar", "(?<a>\\w+) (?<b>\\w+)", "$b-${a}")]
    [InlineData("bar-foo", "regexp_replace", "foo bar", "(?P<a>\\w+) (?P<b>\\w+)", "$b-$a")]
    [InlineData("x", "regexp_replace", "(P<a>", "\\(?P<a>", "x")] // an escaped "(" starts no group
    [InlineData("b", "regexp_replace", "ab", "(a)", "$1x")] // Rust reads $1x as the (absent) group "1x"
    [InlineData("$b", "regexp_replace", "ab", "a", "$$")]
    [InlineData("NULL", "regexp_replace", "ab", "a", null)]
    [InlineData("2", "regexp_count", "abcabc", "b")]
    [InlineData("1", "regexp_count", "abcabc", "b", 3L)]
    [InlineData("1", "regexp_count", "ABC", "b", 1L, "i")]
    public void Regex_functions_on_constants(string expected, string function, params object?[] args) =>
        Assert.Equal([expected], Rows(Call(function, args)));

    [Theory]
    [InlineData("2024-01-01T00:01:00", "date_bin", "1 minute", "2024-01-01T00:01:30Z")]
    [InlineData("2024-01-01T00:00:00", "date_bin", "60 seconds", "2024-01-01T00:00:59.999Z")]
    [InlineData("2024-01-01T00:05:00", "date_bin", "5m", "2024-01-01T00:07:30Z")]
    [InlineData("2024-01-01T01:30:00", "date_bin", "1.5 hours", "2024-01-01T02:00:00Z")]
    [InlineData("2024-01-01T01:30:00", "date_bin", "1h30m", "2024-01-01T02:00:00Z")]
    [InlineData("2024-01-01T00:00:10", "date_bin", "10", "2024-01-01T00:00:15Z")]
    [InlineData("2024-01-01T00:05:00", "date_bin", "15 minutes", "2024-01-01T00:07:30Z", "2024-01-01T00:05:00Z")]
    [InlineData("2023-12-31T23:50:00", "date_bin", "15 minutes", "2024-01-01T00:04:59Z", "2024-01-01T00:05:00Z")]
    [InlineData("1969-12-31T23:59:00", "time_bucket", "1 minute", "1969-12-31T23:59:59Z")]
    [InlineData("NULL", "date_bin", "1 minute", null)]
    [InlineData("2024-01-01T00:00:00", "date_trunc", "week", "2024-01-03T10:00:00Z")]
    [InlineData("2024-01-01T00:00:00", "date_trunc", "week", "2024-01-07T23:59:59Z")]
    [InlineData("2024-01-08T00:00:00", "date_trunc", "week", "2024-01-08T00:00:00Z")]
    [InlineData("1969-12-29T00:00:00", "date_trunc", "week", "1970-01-01T00:00:00Z")]
    [InlineData("2024-02-01T00:00:00", "date_trunc", "month", "2024-02-29T10:00:00Z")]
    [InlineData("2024-04-01T00:00:00", "date_trunc", "quarter", "2024-05-15T10:00:00Z")]
    [InlineData("2024-01-01T00:00:00", "date_trunc", "year", "2024-05-15T10:00:00Z")]
    [InlineData("1969-12-01T00:00:00", "date_trunc", "month", "1969-12-15T10:00:00Z")]
    [InlineData("2024-01-01T10:00:00", "date_trunc", "hour", "2024-01-01T10:59:59.999Z")]
    [InlineData("1969-12-31T00:00:00", "date_trunc", "day", "1969-12-31T12:00:00Z")]
    [InlineData("2024-01-01T10:59:59", "date_trunc", "second", "2024-01-01T10:59:59.999Z")]
    [InlineData("2024", "date_part", "year", "2024-05-15T10:20:30.25Z")]
    [InlineData("2", "date_part", "quarter", "2024-05-15T10:20:30.25Z")]
    [InlineData("5", "date_part", "month", "2024-05-15T10:20:30.25Z")]
    [InlineData("20", "date_part", "week", "2024-05-15T10:20:30.25Z")]
    [InlineData("53", "date_part", "week", "2021-01-01T00:00:00Z")]
    [InlineData("15", "date_part", "day", "2024-05-15T10:20:30.25Z")]
    [InlineData("10", "date_part", "hour", "2024-05-15T10:20:30.25Z")]
    [InlineData("20", "date_part", "minute", "2024-05-15T10:20:30.25Z")]
    [InlineData("30.25", "date_part", "second", "2024-05-15T10:20:30.25Z")]
    [InlineData("30250", "date_part", "millisecond", "2024-05-15T10:20:30.25Z")]
    [InlineData("30250000", "date_part", "microsecond", "2024-05-15T10:20:30.25Z")]
    [InlineData("30250000000", "date_part", "nanosecond", "2024-05-15T10:20:30.25Z")]
    [InlineData("3", "date_part", "dow", "2024-05-15T10:20:30.25Z")]
    [InlineData("136", "date_part", "doy", "2024-05-15T10:20:30.25Z")]
    [InlineData("1.5", "date_part", "epoch", "1970-01-01T00:00:01.5Z")]
    [InlineData("-0.5", "date_part", "epoch", "1969-12-31T23:59:59.5Z")]
    [InlineData("59.5", "datepart", "SECOND", "1969-12-31T23:59:59.5Z")]
    [InlineData("2024-01-01T10:00:00", "to_timestamp", "2024-01-01 10:00:00")]
    [InlineData("2024-01-01T09:00:00", "to_timestamp", "2024-01-01T10:00:00+01:00")]
    [InlineData("2024-01-01T00:00:00", "to_timestamp", 1704067200L)]
    [InlineData("1970-01-01T00:00:01.500", "to_timestamp", 1.5)]
    [InlineData("1970-01-01T00:00:01.500", "to_timestamp_millis", 1500L)]
    [InlineData("1970-01-01T00:00:00.000001", "to_timestamp_micros", 1L)]
    [InlineData("1970-01-01T00:00:00.000000001", "to_timestamp_nanos", 1L)]
    [InlineData("1970-01-01T00:00:05", "to_timestamp_seconds", 5L)]
    [InlineData("2024-01-01T00:00:01", "to_timestamp_seconds", "2024-01-01T00:00:01.999Z")]
    [InlineData("2024-01-01T00:00:01.999", "to_timestamp_millis", "2024-01-01T00:00:01.999999Z")]
    [InlineData("1970-01-02T00:00:00", "from_unixtime", 86400L)]
    [InlineData("2024-02-29T00:00:00", "make_date", 2024L, 2L, 29L)]
    [InlineData("2024-01-01T07:00:00", "tz", "2024-01-01T12:00:00Z", "America/New_York")]
    [InlineData("2024-07-01T08:00:00", "tz", "2024-07-01T12:00:00Z", "America/New_York")]
    [InlineData("2024-01-01T17:30:00", "tz", "2024-01-01T12:00:00Z", "Asia/Kolkata")]
    [InlineData("2024-01-01T17:30:00", "tz", "2024-01-01T12:00:00Z", "+05:30")]
    [InlineData("2024-01-01T12:00:00", "tz", "2024-01-01T12:00:00Z", "UTC")]
    [InlineData("2024-01-01T12:00:00", "tz", "2024-01-01T12:00:00Z")]
    [InlineData("NULL", "tz", "2024-01-01T12:00:00Z", null)]
    public void Time_functions_on_constants(string expected, string function, params object?[] args) =>
        Assert.Equal([expected], Rows(Call(function, args)));

    [Fact]
    public void Now_is_the_statements_clock_and_random_is_volatile()
    {
        Assert.Equal(new TimestampScalar(Now), Call("now").Scalar);
        Assert.Equal(new TimestampScalar(Now), Call("current_timestamp").Scalar);
        Assert.False(Get("now").IsVolatile);
        Assert.True(Get("random").IsVolatile);
        var random = Get("random").Invoke(new FunctionArguments([], [], 100, Now));
        var values = Columns.DoubleValues(random.Array!);
        Assert.Equal(100, values.Length);
        Assert.All(values, v => Assert.InRange(v, 0.0, 1.0));
        Assert.True(values.Distinct().Count() > 90);
    }

    [Fact]
    public void An_interval_constant_bins_like_its_text()
    {
        var times = Times("2024-01-01T00:00:30Z", "2024-01-01T00:00:30Z", null, "2024-01-01T00:01:10Z", "1969-12-31T23:59:59Z");
        string[] expected = ["2024-01-01T00:00:00", "2024-01-01T00:00:00", "NULL", "2024-01-01T00:01:00", "1969-12-31T23:59:00"];
        Assert.Equal(expected, Rows(Call("date_bin", new IntervalScalar(60_000_000_000L), times)));
        Assert.Equal(expected, Rows(Call("date_bin", "1 minute", times)));
        Assert.Equal(expected, Rows(Call("time_bucket", "1m", times)));
        // A sliced column (non-zero offset) reads its own rows.
        Assert.Equal(expected[1..4], Rows(Call("date_bin", "1 minute", times.Slice(1, 3))));
        // Strings in place of timestamps are read as RFC 3339.
        Assert.Equal(["2024-01-01T00:00:00", "NULL"], Rows(Call("date_bin", "1 minute", Strings("2024-01-01T00:00:30Z", null))));
    }

    [Theory]
    [InlineData("1 minute", null)]
    [InlineData("1 hour", null)]
    [InlineData("7 seconds", "2024-01-01T00:00:03Z")]
    [InlineData("15 minutes", "1969-12-31T23:59:59.999999999Z")]
    public void Binning_a_column_equals_binning_each_time_alone(string interval, string? origin)
    {
        // Series in time order (most rows reuse the bin of the row before), jumps back between them, times before the
        // epoch and at the ends of the range (where the floor cannot be represented), and nulls.
        var random = new Random(15);
        var times = new List<long?>();
        for (var series = 0; series < 20; series++)
        {
            var t = T("2024-01-01T00:00:00Z") + (random.NextInt64(-3_600, 3_600) * 1_000_000_000L);
            for (var i = 0; i < 200; i++)
            {
                t += random.Next(4) switch { 0 => 0, 1 => 1, 2 => 10_000_000_000L, _ => random.NextInt64(1, 7_200_000_000_000L) };
                times.Add(random.Next(50) == 0 ? null : t);
            }
        }
        times.AddRange([long.MinValue, long.MinValue + 1, long.MaxValue, long.MaxValue - 1, -1, 0, 1]);
        var column = Columns.FromValues(ArrowType.TimestampNanosecond, [.. times.Select(t => t ?? 0)], [.. times.Select(t => t is not null)]);
        object?[] args = origin is null ? [interval, column] : [interval, column, origin];
        var whole = Rows(Call("date_bin", args));
        var alone = new List<string>();
        for (var i = 0; i < times.Count; i++)
        {
            object?[] one = origin is null ? [interval, column.Slice(i, 1)] : [interval, column.Slice(i, 1), origin];
            alone.AddRange(Rows(Call("date_bin", one)));
        }
        Assert.Equal(alone, whole);
    }

    // ---------------------------------------------------------------- columns with NULLs

    [Fact]
    public void Numeric_kernels_over_columns_keep_nulls()
    {
        Assert.Equal(["1", "NULL", "2"], Rows(Call("abs", Ints(-1, null, 2))));
        Assert.Equal(["1.3", "NULL", "-1.3"], Rows(Call("round", Floats(1.25, null, -1.25), 1L)));
        Assert.Equal(["1.3", "NULL", "-1", "NULL"], Rows(Call("round", Floats(1.25, 2, -1.25, 3), Ints(1, null, 0, null))));
        Assert.Equal(["2", "NULL", "4"], Rows(Call("sqrt", Ints(4, null, 16))));
        Assert.Equal(["2", "NULL", "3"], Rows(Call("sqrt", Floats(4, null, 9))));
        Assert.Equal(["-2", "NULL", "3"], Rows(Call("floor", Floats(-1.5, null, 3.5))));
        Assert.Equal(["NULL", "0"], Rows(Call("ln", Floats(1, null, 1).Slice(1, 2))));
        Assert.Equal(["3", "-3", "NULL"], Rows(Call("round", Floats(2.5, -2.5, null))));
        Assert.Equal(["8", "NULL", "NULL"], Rows(Call("power", Ints(2, null, 2), Floats(3, 1, null))));
        Assert.Equal(["false", "NULL", "true"], Rows(Call("isnan", Floats(1, null, double.NaN))));
        Assert.Equal(["3", "NULL", "5", "7"], Rows(Call("greatest", Ints(1, null, 5, null), Ints(3, null, null, 7))));
        Assert.Equal(["1", "NULL", "5", "7"], Rows(Call("least", Ints(1, null, 5, null), Ints(3, null, null, 7))));
        Assert.Equal(["1", "0", "3"], Rows(Call("coalesce", Ints(1, null, 3), 0L)));
        Assert.Equal(["1", "2.5", "3"], Rows(Call("coalesce", Ints(1, null, 3), Floats(9, 2.5, 9))));
        Assert.Equal(["NULL", "NULL", "3"], Rows(Call("nullif", Ints(1, null, 3), 1L)));
        Assert.Equal(["6", "NULL", "1"], Rows(Call("gcd", Ints(12, null, 7), Ints(18, 3, 5))));
    }

    [Fact]
    public void Integer_widths_and_unsigned_columns_keep_their_kind()
    {
        bool[] valid = [true, true, false];
        int[] ints = [-5, 7, -1];
        var int32 = Columns.FromValues(ArrowType.Int32, ints, valid);
        Assert.Equal(["5", "7", "NULL"], Rows(Call("abs", int32)));
        Assert.Equal(["-5", "7", "NULL"], Rows(Call("floor", int32)));
        Assert.Equal(["fffffffb", "7", "NULL"], Rows(Call("to_hex", int32)));
        ulong[] unsigned = [ulong.MaxValue, 1250UL];
        var uint64 = Columns.FromValues(ArrowType.UInt64, unsigned, null);
        Assert.Equal(["18446744073709551615", "1250"], Rows(Call("abs", uint64)));
        Assert.Equal(["18446744073709551615", "1250"], Rows(Call("round", uint64, 0L)));
        Assert.Equal(["1300"], Rows(Call("round", uint64.Slice(1, 1), -2L)));
        Assert.Equal(["18446744073709551600", "1200"], Rows(Call("trunc", uint64, -2L)));
        Assert.Equal(["18446744073709551615", "1300"], Rows(Call("greatest", uint64, 1300UL)));
        var ex = Assert.Throws<FunctionException>(() => Call("round", uint64, -1L));
        Assert.Equal("round: integer overflow", ex.Message);
        ex = Assert.Throws<FunctionException>(() => Call("gcd", uint64, 5L));
        Assert.Equal(("argument 1: 18446744073709551615 is out of range for int64", (int?)0), (ex.Message, ex.Argument));
        float[] singles = [2.25f, -1.5f];
        var float32 = Columns.FromValues(ArrowType.Float32, singles, null);
        Assert.Equal(["1.5", "NaN"], Rows(Call("sqrt", float32)));
        Assert.Equal(["2", "-2"], Rows(Call("round", float32)));
    }

    [Fact]
    public void Sliced_columns_read_their_own_rows()
    {
        var tags = Tags("x", "a.b", null, "c.d", "x");
        Assert.Equal(["b", "NULL", "d"], Rows(Call("split_part", tags.Slice(1, 3), ".", 2L)));
        Assert.Equal(["B", "NULL", "D"], Rows(Call("upper", Call("split_part", tags.Slice(1, 3), ".", 2L).Array)));
        Assert.Equal(["NULL", "3"], Rows(Call("abs", Ints(1, null, -3).Slice(1, 2))));
        Assert.Equal(["b", "NULL"], Rows(Call("substr", Strings("ab", "ab", null).Slice(1, 2), 2L)));
    }

    [Fact]
    public void String_kernels_over_columns_keep_nulls()
    {
        Assert.Equal(["A", "NULL", "BC"], Rows(Call("upper", Strings("a", null, "bc"))));
        Assert.Equal(["1", "NULL", "2"], Rows(Call("length", Strings("a", null, "bc"))));
        Assert.Equal(["b", "NULL", "", "a"], Rows(Call("split_part", Strings("a.b", null, "x", "a.b"), ".", Ints(2, 1, 2, 1))));
        Assert.Equal(["NULL", "NULL", "x"], Rows(Call("split_part", Strings("a.b", null, "x"), ".", Ints(null, 1, 1))));
        Assert.Equal(["a-1", "-2", "c-"], Rows(Call("concat", Strings("a", null, "c"), "-", Ints(1, 2, null))));
        Assert.Equal(["ab", "NULL", "NULL"], Rows(Call("left", Strings("abc", null, "xyz"), Ints(2, 1, null))));
        Assert.Equal(["true", "NULL", "false"], Rows(Call("starts_with", Strings("abc", null, "xbc"), "a")));
        Assert.Equal(["axc", "NULL", "yxz"], Rows(Call("regexp_replace", Strings("abc", null, "ybz"), "b", Strings("x", "x", "x"))));
        Assert.Equal(["a1c", "NULL", "y2z"], Rows(Call("regexp_replace", Strings("abc", null, "ybz"), "b", Strings("1", "x", "2"))));
        Assert.Equal(["true", "NULL", "false"], Rows(Call("regexp_like", Strings("abc", null, "xyz"), "^a")));
    }

    [Fact]
    public void Tags_are_accepted_wherever_a_string_is()
    {
        var tags = Tags("host-a.eu", null, "host-b.us", "host-a.eu");
        Assert.Equal(ArrowType.DictionaryUtf8, tags.Type);
        Assert.Equal(["HOST-A.EU", "NULL", "HOST-B.US", "HOST-A.EU"], Rows(Call("upper", tags)));
        Assert.Equal(["9", "NULL", "9", "9"], Rows(Call("length", tags)));
        Assert.Equal(["eu", "NULL", "us", "eu"], Rows(Call("split_part", tags, ".", -1L)));
        Assert.Equal(["eu", "NULL", "us", "eu"], Rows(Call("split_part", tags, ".", Ints(2, 2, 2, 2))));
        Assert.Equal(["true", "NULL", "false", "true"], Rows(Call("regexp_like", tags, "A\\.", "i")));
        Assert.Equal(["a", "NULL", "b", "a"], Rows(Call("regexp_replace", tags, "^host-(\\w)\\..*$", "$1")));
        Assert.Equal(["host-a.eu", "x", "host-b.us", "host-a.eu"], Rows(Call("coalesce", tags, "x")));
        Assert.Equal(["host-a.eu", "NULL", "NULL", "host-a.eu"], Rows(Call("nullif", tags, "host-b.us")));
        Assert.Equal(["host-a.eu|1", "2", "host-b.us|3", "host-a.eu|4"], Rows(Call("concat_ws", "|", tags, Ints(1, 2, 3, 4))));
        Assert.Equal(["true", "NULL", "false", "true"], Rows(Call("ends_with", tags, "eu")));
        // greatest skips NULLs: NULL only when every argument is.
        Assert.Equal(["host-b.us", "host-b.us", "host-b.us", "host-b.us"], Rows(Call("greatest", tags, "host-b.us")));
    }

    [Fact]
    public void A_string_kernel_over_a_tag_runs_once_per_dictionary_entry()
    {
        var tags = Tags("a", "b", "a", null, "a", "b", "b");
        var calls = 0;
        var args = new FunctionArguments([ColumnarValue.Of(tags), ColumnarValue.Constant("!")], [ArrowType.DictionaryUtf8, ArrowType.Utf8], tags.Length, Now);
        var result = Kernel.MapString<string?>(args, (s, r, i) =>
        {
            calls++;
            return s + r[1].String(i);
        }, Kernel.Strings);
        Assert.Equal(2, calls);
        Assert.Equal(["a!", "b!", "a!", "NULL", "a!", "b!", "b!"], Rows(result));

        // With a column as the other argument, it runs per row (the pair differs row by row).
        calls = 0;
        args = new FunctionArguments([ColumnarValue.Of(tags), ColumnarValue.Of(Strings("1", "2", "3", "4", "5", "6", "7"))], [ArrowType.DictionaryUtf8, ArrowType.Utf8], tags.Length, Now);
        result = Kernel.MapString<string?>(args, (s, r, i) =>
        {
            calls++;
            return s + r[1].String(i);
        }, Kernel.Strings);
        Assert.Equal(6, calls);
        Assert.Equal(["a1", "b2", "a3", "NULL", "a5", "b6", "b7"], Rows(result));
    }

    [Fact]
    public void Time_kernels_over_columns_keep_nulls()
    {
        var times = Times("2024-05-15T10:20:30.25Z", null, "1969-12-31T23:59:59Z");
        Assert.Equal(["30.25", "NULL", "59"], Rows(Call("date_part", "second", times)));
        Assert.Equal(["2024", "NULL", "1969"], Rows(Call("date_part", "year", times)));
        Assert.Equal(["2024-05-13T00:00:00", "NULL", "1969-12-29T00:00:00"], Rows(Call("date_trunc", "week", times)));
        Assert.Equal(["2024-04-01T00:00:00", "NULL", "1969-10-01T00:00:00"], Rows(Call("date_trunc", "quarter", times)));
        Assert.Equal(["2024-05-15T10:20:30", "NULL", "1969-12-31T23:59:59"], Rows(Call("to_timestamp_seconds", times)));
        Assert.Equal(["1970-01-01T00:00:01", "NULL"], Rows(Call("to_timestamp", Ints(1, null))));
        Assert.Equal(["2024-01-31T00:00:00", "NULL"], Rows(Call("make_date", Ints(2024, 2024), Ints(1, null), 31L)));
        // New York leaves EST (-5) for EDT (-4) at 2024-03-10T07:00:00Z.
        var transition = Times("2024-03-10T06:59:59Z", "2024-03-10T07:00:00Z", null, "2024-11-03T05:59:59Z", "2024-11-03T06:00:00Z");
        Assert.Equal(["2024-03-10T01:59:59", "2024-03-10T03:00:00", "NULL", "2024-11-03T01:59:59", "2024-11-03T01:00:00"],
            Rows(Call("tz", transition, "America/New_York")));
    }

    // ---------------------------------------------------------------- errors

    private static ArrowType ParseType(string name) => name switch
    {
        "utf8" => ArrowType.Utf8,
        "tag" => ArrowType.DictionaryUtf8,
        "int64" => ArrowType.Int64,
        "int32" => ArrowType.Int32,
        "uint64" => ArrowType.UInt64,
        "float64" => ArrowType.Float64,
        "ts" => ArrowType.TimestampNanosecond,
        "bool" => ArrowType.Boolean,
        "null" => ArrowType.Null,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("split_part", "split_part takes (string, delimiter, n), got 2 arguments", -1, "utf8", "utf8")]
    [InlineData("split_part", "argument 3 of split_part must be an integer, got string", 2, "utf8", "utf8", "utf8")]
    [InlineData("upper", "argument 1 of upper must be a string, got int64", 0, "int64")]
    [InlineData("upper", "upper takes (string), got 0 arguments", -1)]
    [InlineData("abs", "argument 1 of abs must be a number, got string", 0, "utf8")]
    [InlineData("abs", "argument 1 of abs must be a number, got string", 0, "tag")]
    [InlineData("abs", "abs takes (number), got 2 arguments", -1, "int64", "int64")]
    [InlineData("round", "argument 2 of round must be an integer, got float64", 1, "float64", "float64")]
    [InlineData("round", "round takes (number[, digits]), got 3 arguments", -1, "float64", "int64", "int64")]
    [InlineData("date_trunc", "argument 2 of date_trunc must be a string or a timestamp, got float64", 1, "utf8", "float64")]
    [InlineData("date_bin", "argument 1 of date_bin must be an integer or a string, got float64", 0, "float64", "ts")]
    [InlineData("coalesce", "coalesce takes (value, ...), got 0 arguments", -1)]
    [InlineData("coalesce", "coalesce cannot mix int64 (argument 1) with string (argument 3)", 2, "int64", "null", "utf8")]
    [InlineData("greatest", "greatest cannot mix boolean (argument 1) with int64 (argument 2)", 1, "bool", "int64")]
    [InlineData("nullif", "nullif cannot mix timestamp[ns] (argument 1) with float64 (argument 2)", 1, "ts", "float64")]
    [InlineData("pi", "pi takes (), got 1 argument", -1, "int64")]
    [InlineData("to_timestamp", "argument 1 of to_timestamp must be a number, a string or a timestamp, got boolean", 0, "bool")]
    [InlineData("lpad", "lpad takes (string, length[, fill]), got 1 argument", -1, "utf8")]
    [InlineData("regexp_replace", "regexp_replace takes (string, pattern, replacement[, flags]), got 2 arguments", -1, "utf8", "utf8")]
    [InlineData("regexp_like", "argument 2 of regexp_like must be a string, got int64", 1, "utf8", "int64")]
    [InlineData("tz", "argument 2 of tz must be a string, got int64", 1, "ts", "int64")]
    [InlineData("concat_ws", "argument 1 of concat_ws must be a string, got int64", 0, "int64", "utf8")]
    [InlineData("gcd", "argument 2 of gcd must be an integer, got float64", 1, "int64", "float64")]
    [InlineData("log", "log takes ([base, ]number), got 3 arguments", -1, "int64", "int64", "int64")]
    public void Signatures_reject_wrong_arguments(string function, string message, int argument, params string[] types)
    {
        var ex = Assert.Throws<FunctionException>(() => Get(function).ReturnType([.. types.Select(ParseType)]));
        Assert.Equal(message, ex.Message);
        Assert.Equal(argument < 0 ? null : argument, ex.Argument);
    }

    [Theory]
    [InlineData("abs", "int64")]
    [InlineData("abs", "uint64")]
    [InlineData("abs", "null")]
    [InlineData("upper", "tag")]
    [InlineData("upper", "null")]
    [InlineData("coalesce", "ts", "utf8", "null")]
    [InlineData("date_trunc", "utf8", "ts")]
    [InlineData("date_bin", "int64", "ts", "utf8")]
    [InlineData("concat", "bool", "float64", "ts", "tag")]
    public void Signatures_accept_right_arguments(string function, params string[] types) =>
        Get(function).ReturnType([.. types.Select(ParseType)]);

    [Theory]
    [InlineData("tz", "unknown time zone 'Mars/Olympus'", 1, "2024-01-01T00:00:00Z", "Mars/Olympus")]
    [InlineData("tz", "unknown time zone '../../etc/passwd'", 1, "2024-01-01T00:00:00Z", "../../etc/passwd")]
    [InlineData("tz", "unknown time zone ''", 1, "2024-01-01T00:00:00Z", "")]
    [InlineData("regexp_like", "regexp_like does not support the global flag 'g'", 2, "a", "a", "g")]
    [InlineData("regexp_replace", "regexp_replace: unsupported regular expression flag 'z'", 3, "a", "a", "b", "z")]
    [InlineData("date_bin", "the interval of date_bin must be positive", 0, "0 seconds", "2024-01-01T00:00:00Z")]
    [InlineData("date_bin", "the interval of date_bin must be positive", 0, "-1 minute", "2024-01-01T00:00:00Z")]
    [InlineData("date_bin", "date_bin: invalid interval '1 month': 'month' has no fixed length (use days or weeks)", 0, "1 month", "2024-01-01T00:00:00Z")]
    [InlineData("date_bin", "date_bin: invalid interval 'soon': expected a number", 0, "soon", "2024-01-01T00:00:00Z")]
    [InlineData("date_bin", "date_bin: invalid interval '5 fortnights': unknown unit 'fortnights'", 0, "5 fortnights", "2024-01-01T00:00:00Z")]
    [InlineData("date_bin", "the origin of date_bin is not a timestamp: 'dawn'", 2, "1 minute", "2024-01-01T00:00:00Z", "dawn")]
    [InlineData("date_trunc", "unsupported date_trunc unit 'fortnight'", 0, "fortnight", "2024-01-01T00:00:00Z")]
    [InlineData("date_part", "date_part: unsupported part 'century'", 0, "century", "2024-01-01T00:00:00Z")]
    [InlineData("split_part", "split_part: field position must not be zero", 2, "a.b", ".", 0L)]
    [InlineData("to_timestamp", "invalid timestamp 'yesterday'", 0, "yesterday")]
    [InlineData("date_part", "invalid timestamp '2024-13-01'", 1, "year", "2024-13-01")]
    [InlineData("abs", "abs: integer overflow", -1, long.MinValue)]
    [InlineData("round", "round: integer overflow", -1, long.MaxValue, -1L)]
    [InlineData("factorial", "factorial: integer overflow", -1, 21L)]
    [InlineData("lcm", "lcm: integer overflow", -1, long.MaxValue, 2L)]
    [InlineData("from_unixtime", "from_unixtime: 9223372036854775807 is out of the timestamp range", 0, long.MaxValue)]
    [InlineData("chr", "chr: null character not permitted", 0, 0L)]
    [InlineData("chr", "chr: requested character 55296 too large for encoding", 0, 55296L)]
    [InlineData("make_date", "make_date: 2023-2-29 is not a date", -1, 2023L, 2L, 29L)]
    [InlineData("lpad", "lpad: requested length 1099511627776 is too large (at most 268435456)", 1, "a", 1099511627776L)]
    [InlineData("regexp_count", "regexp_count: start must be 1 or more (it is 1-based), got 0", 2, "abc", "b", 0L)]
    public void Bad_values_are_errors_naming_the_argument(string function, string message, int argument, params object?[] args)
    {
        var ex = Assert.Throws<FunctionException>(() => Call(function, args));
        Assert.Equal(message, ex.Message);
        Assert.Equal(argument < 0 ? null : argument, ex.Argument);
    }

    [Fact]
    public void A_bad_regular_expression_names_the_pattern()
    {
        var ex = Assert.Throws<FunctionException>(() => Call("regexp_like", "a", "(ab"));
        Assert.StartsWith("invalid regular expression '(ab': ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Argument);
        ex = Assert.Throws<FunctionException>(() => Call("regexp_replace", Strings("a"), "[", "x"));
        Assert.StartsWith("invalid regular expression '[': ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Argument);
    }

    [Fact]
    public void Arguments_that_must_be_constants_reject_columns()
    {
        var times = Times("2024-01-01T00:00:00Z");
        var ex = Assert.Throws<FunctionException>(() => Call("regexp_like", Strings("a"), Strings("a")));
        Assert.Equal(("the pattern of regexp_like must be a constant, not a column", (int?)1), (ex.Message, ex.Argument));
        ex = Assert.Throws<FunctionException>(() => Call("regexp_replace", Strings("a"), "a", "b", Strings("g")));
        Assert.Equal(("the flags of regexp_replace must be a constant, not a column", (int?)3), (ex.Message, ex.Argument));
        ex = Assert.Throws<FunctionException>(() => Call("date_bin", Strings("1 minute"), times));
        Assert.Equal(("the interval of date_bin must be a constant, not a column", (int?)0), (ex.Message, ex.Argument));
        ex = Assert.Throws<FunctionException>(() => Call("date_bin", "1 minute", times, times));
        Assert.Equal(("the origin of date_bin must be a constant, not a column", (int?)2), (ex.Message, ex.Argument));
        ex = Assert.Throws<FunctionException>(() => Call("date_trunc", Strings("day"), times));
        Assert.Equal(("the unit of date_trunc must be a constant, not a column", (int?)0), (ex.Message, ex.Argument));
        ex = Assert.Throws<FunctionException>(() => Call("tz", times, Strings("UTC")));
        Assert.Equal(("the zone of tz must be a constant, not a column", (int?)1), (ex.Message, ex.Argument));
        ex = Assert.Throws<FunctionException>(() => Call("date_bin", 60L, times));
        Assert.Equal(("the interval of date_bin must be an INTERVAL or an interval string such as '1 minute'", (int?)0), (ex.Message, ex.Argument));
    }

    [Fact]
    public void The_registry_holds_every_function_under_its_lower_case_name()
    {
        string[] expected =
        [
            "abs", "round", "floor", "ceil", "ceiling", "trunc", "sqrt", "cbrt", "power", "pow", "exp", "ln", "log10", "log2", "log", "signum",
            "sin", "cos", "tan", "cot", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "degrees", "radians", "pi", "random", "isnan", "iszero", "nanvl",
            "gcd", "lcm", "factorial", "greatest", "least", "coalesce", "nullif", "bit_and", "bit_or", "bit_xor",
            "upper", "lower", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length", "substr", "substring",
            "concat", "concat_ws", "starts_with", "ends_with", "strpos", "instr", "replace", "ltrim", "rtrim", "btrim", "trim", "left", "right",
            "lpad", "rpad", "reverse", "repeat", "to_hex", "ascii", "chr", "split_part", "regexp_like", "regexp_replace", "regexp_count",
            "now", "current_timestamp", "date_bin", "time_bucket", "date_trunc", "date_part", "datepart", "to_timestamp", "to_timestamp_seconds",
            "to_timestamp_millis", "to_timestamp_micros", "to_timestamp_nanos", "from_unixtime", "make_date", "tz",
        ];
        foreach (var name in expected)
        {
            Assert.True(ScalarFunctions.TryGet(name, out var f), name);
            Assert.Equal(name, f.Name);
            Assert.StartsWith(name + "(", f.Signature, StringComparison.Ordinal);
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), ScalarFunctions.Names.Order(StringComparer.Ordinal));
        Assert.All(ScalarFunctions.Names, n => Assert.Equal(n.ToLowerInvariant(), n));
        Assert.False(ScalarFunctions.TryGet("ABS", out _));
        Assert.Equal("split_part(string, delimiter, n)", Get("split_part").Signature);
    }
}
