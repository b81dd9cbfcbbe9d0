namespace Tsdb.LineProtocol.Tests;

public sealed class PrecisionTests
{
    [Theory]
    [InlineData(null, Precision.Nanosecond)]
    [InlineData("", Precision.Nanosecond)]
    [InlineData("ns", Precision.Nanosecond)]
    [InlineData("n", Precision.Nanosecond)]
    [InlineData("nanosecond", Precision.Nanosecond)]
    [InlineData("NS", Precision.Nanosecond)]
    [InlineData("us", Precision.Microsecond)]
    [InlineData("u", Precision.Microsecond)]
    [InlineData("microsecond", Precision.Microsecond)]
    [InlineData("ms", Precision.Millisecond)]
    [InlineData("millisecond", Precision.Millisecond)]
    [InlineData("Ms", Precision.Millisecond)]
    [InlineData("s", Precision.Second)]
    [InlineData("second", Precision.Second)]
    [InlineData("auto", Precision.Auto)]
    [InlineData("AUTO", Precision.Auto)]
    public void Parses_precisions(string? text, Precision expected)
    {
        Assert.True(PrecisionParser.TryParse(text, allowAuto: true, out var precision));
        Assert.Equal(expected, precision);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("m")]
    [InlineData("h")]
    [InlineData("sec")]
    [InlineData(" ns")]
    [InlineData("nanoseconds")]
    [InlineData("µs")]
    public void Refuses_unknown_precisions(string text)
    {
        Assert.False(PrecisionParser.TryParse(text, allowAuto: false, out _));
    }

    [Theory]
    [InlineData(5L, Precision.Nanosecond, 5L)]
    [InlineData(5L, Precision.Microsecond, 5_000L)]
    [InlineData(5L, Precision.Millisecond, 5_000_000L)]
    [InlineData(5L, Precision.Second, 5_000_000_000L)]
    [InlineData(-5L, Precision.Second, -5_000_000_000L)]
    [InlineData(long.MaxValue, Precision.Nanosecond, long.MaxValue)]
    [InlineData(long.MinValue, Precision.Nanosecond, long.MinValue)]
    [InlineData(9_223_372_036L, Precision.Second, 9_223_372_036_000_000_000L)]
    [InlineData(-9_223_372_036L, Precision.Second, -9_223_372_036_000_000_000L)]
    [InlineData(9_223_372_036_854_775L, Precision.Microsecond, 9_223_372_036_854_775_000L)]
    [InlineData(-9_223_372_036_854_775L, Precision.Microsecond, -9_223_372_036_854_775_000L)]
    public void Scales_to_nanoseconds(long value, Precision precision, long expected)
    {
        Assert.True(Timestamps.TryToNanoseconds(value, precision, out var nanoseconds));
        Assert.Equal(expected, nanoseconds);
    }

    [Theory]
    [InlineData(9_223_372_037L, Precision.Second)]
    [InlineData(-9_223_372_037L, Precision.Second)]
    [InlineData(9_223_372_036_855L, Precision.Millisecond)]
    [InlineData(9_223_372_036_854_776L, Precision.Microsecond)]
    [InlineData(-9_223_372_036_854_776L, Precision.Microsecond)]
    [InlineData(long.MaxValue, Precision.Second)]
    [InlineData(long.MinValue, Precision.Microsecond)]
    public void Reports_overflow(long value, Precision precision)
    {
        Assert.False(Timestamps.TryToNanoseconds(value, precision, out _));
    }

    [Theory]
    [InlineData(0L, Precision.Second, 0L)]
    [InlineData(1_700_000_000L, Precision.Second, 1_700_000_000_000_000_000L)]
    [InlineData(4_999_999_999L, Precision.Second, 4_999_999_999_000_000_000L)]
    [InlineData(-4_999_999_999L, Precision.Second, -4_999_999_999_000_000_000L)]
    [InlineData(5_000_000_000L, Precision.Millisecond, 5_000_000_000_000_000L)]
    [InlineData(-5_000_000_000L, Precision.Millisecond, -5_000_000_000_000_000L)]
    [InlineData(1_700_000_000_000L, Precision.Millisecond, 1_700_000_000_000_000_000L)]
    [InlineData(4_999_999_999_999L, Precision.Millisecond, 4_999_999_999_999_000_000L)]
    [InlineData(5_000_000_000_000L, Precision.Microsecond, 5_000_000_000_000_000L)]
    [InlineData(1_700_000_000_000_000L, Precision.Microsecond, 1_700_000_000_000_000_000L)]
    [InlineData(4_999_999_999_999_999L, Precision.Microsecond, 4_999_999_999_999_999_000L)]
    [InlineData(5_000_000_000_000_000L, Precision.Nanosecond, 5_000_000_000_000_000L)]
    [InlineData(1_700_000_000_000_000_000L, Precision.Nanosecond, 1_700_000_000_000_000_000L)]
    [InlineData(long.MinValue, Precision.Nanosecond, long.MinValue)]
    [InlineData(long.MaxValue, Precision.Nanosecond, long.MaxValue)]
    public void Auto_guesses_the_unit_from_the_magnitude(long value, Precision guessed, long expected)
    {
        Assert.Equal(guessed, Timestamps.GuessPrecision(value));
        Assert.True(Timestamps.TryToNanoseconds(value, Precision.Auto, out var nanoseconds));
        Assert.Equal(expected, nanoseconds);
    }
}
