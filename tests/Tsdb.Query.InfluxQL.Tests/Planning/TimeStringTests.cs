using System.Globalization;
using Tsdb.Query.InfluxQL.Planning;

namespace Tsdb.Query.InfluxQL.Tests.Planning;

/// <summary>The hand-read form of time strings against the general parse: the same nanoseconds, and only where it applies.</summary>
public sealed class TimeStringTests
{
    [Theory]
    [InlineData("2016-01-01T08:10:00Z", 1_451_635_800_000_000_000L)]
    [InlineData("1970-01-01T00:00:00Z", 0L)]
    [InlineData("1969-12-31T23:59:59.999999999Z", -1L)]
    [InlineData("2016-02-29T12:00:00.5Z", 1_456_747_200_500_000_000L)]
    [InlineData("2016-01-01T00:00:00.12345678Z", 1_451_606_400_123_456_780L)]
    [InlineData("2016-01-01T00:00:00.000000001Z", 1_451_606_400_000_000_001L)]
    public void Reads_utc_times_to_the_nanosecond(string text, long nanos)
    {
        Assert.True(InfluxQLPlanner.TryParseUtc(text, out var read));
        Assert.Equal(nanos, read);
        Assert.Equal(nanos, InfluxQLPlanner.ParseTimeAnyForm(text));
        Assert.Equal(nanos, InfluxQLPlanner.ParseTime(text));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Agrees_with_the_general_parse_on_random_times(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 2000; i++)
        {
            var t = new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(random.NextInt64(DateTime.MaxValue.Ticks / 10_000_000) * 10_000_000);
            var digits = random.Next(0, 10);
            var fraction = digits == 0 ? "" : "." + random.NextInt64(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture)[..digits];
            var text = t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + "Z";
            Assert.True(InfluxQLPlanner.TryParseUtc(text, out var read), text);
            Assert.Equal(InfluxQLPlanner.ParseTimeAnyForm(text), read);
        }
    }

    /// <summary>Other forms and impossible dates are left to the general parse, which reads or rejects them as before.</summary>
    [Theory]
    [InlineData("2016-01-01T08:10:00+01:00")]
    [InlineData("2016-01-01T08:10:00")]
    [InlineData("2016-01-01 08:10:00")]
    [InlineData("2016-01-01")]
    [InlineData(" 2016-01-01T08:10:00Z")]
    [InlineData("2016-01-01T08:10:00.Z")]
    [InlineData("2016-01-01T08:10:00.1234567890Z")]
    [InlineData("2015-02-29T00:00:00Z")]
    [InlineData("2016-13-01T00:00:00Z")]
    [InlineData("2016-01-01T24:00:00Z")]
    [InlineData("2016-01-01T23:60:00Z")]
    [InlineData("2016-01-01T23:59:60Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2016-01-01t08:10:00z")]
    [InlineData("2016-0a-01T08:10:00Z")]
    public void Leaves_other_forms_to_the_general_parse(string text)
    {
        Assert.False(InfluxQLPlanner.TryParseUtc(text, out _));
    }
}
