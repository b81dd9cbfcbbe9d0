using Tsdb.Server.Http;

namespace Tsdb.Prometheus.Tests;

public sealed class PromFormatTests
{
    // Expected strings are what Go's strconv.FormatFloat(f, 'f' or 'e', -1, 64) prints (Prometheus' jsonutil).
    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(12345678901234567890.0, "12345678901234567000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1e100, "1e+100")]
    [InlineData(0.0, "0")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(-1.25e17, "-125000000000000000")]
    [InlineData(1e-5, "0.00001")]
    [InlineData(-1e-7, "-1e-07")]
    [InlineData(-0.0, "-0")]
    public void Floats_print_as_prometheus_prints_them(double value, string expected)
    {
        Assert.Equal(expected, PromFormat.Float(value));
        Assert.Equal(expected, Utf8(PromFormat.MaxFloatLength, span => PromFormat.WriteFloat(span, value)));
    }

    [Fact]
    public void The_allocation_free_float_writer_agrees_with_the_general_layout()
    {
        // Random bit patterns (every magnitude) and random decimals of the kind metrics carry.
        var random = new Random(8);
        for (var i = 0; i < 200_000; i++)
        {
            var value = i % 2 == 0
                ? BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue))
                : Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-8, 22)), random.Next(0, 6));
            var expected = PromFormat.Float(value);
            Assert.Equal(expected, Utf8(PromFormat.MaxFloatLength, span => PromFormat.WriteFloat(span, value)));
            if (double.IsFinite(value))
            {
                Assert.Equal(value, double.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public void The_stale_marker_prints_as_NaN() => Assert.Equal("NaN", PromFormat.Float(BitConverter.Int64BitsToDouble(0x7FF0000000000002)));

    [Theory]
    [InlineData(1435781451781L, "1435781451.781")]
    [InlineData(1435781451780L, "1435781451.780")]
    [InlineData(1435781451005L, "1435781451.005")]
    [InlineData(1435781451000L, "1435781451")]
    [InlineData(0L, "0")]
    [InlineData(-1500L, "-1.500")]
    [InlineData(-500L, "-0.500")]
    [InlineData(5L, "0.005")]
    [InlineData(long.MaxValue, "9223372036854775.807")]
    [InlineData(long.MinValue, "-9223372036854775.808")]
    public void Timestamps_are_seconds_with_milliseconds_when_not_zero(long ms, string expected)
    {
        Assert.Equal(expected, PromFormat.Timestamp(ms));
        Assert.Equal(expected, Utf8(PromFormat.MaxTimestampLength, span => PromFormat.WriteTimestamp(span, ms)));
    }

    private delegate int SpanWriter(Span<byte> output);

    private static string Utf8(int capacity, SpanWriter write)
    {
        var buffer = new byte[capacity];
        return System.Text.Encoding.UTF8.GetString(buffer, 0, write(buffer));
    }

    [Theory]
    [InlineData("15s", 15_000L)]
    [InlineData("1m30s", 90_000L)]
    [InlineData("1h", 3_600_000L)]
    [InlineData("2d", 172_800_000L)]
    [InlineData("1w", 604_800_000L)]
    [InlineData("1y", 31_536_000_000L)]
    [InlineData("250ms", 250L)]
    [InlineData("0", 0L)]
    public void Durations_parse(string text, long ms)
    {
        Assert.True(PromParams.TryParseDuration(text, out var parsed));
        Assert.Equal(ms, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1x")]
    [InlineData("30s1m")]
    [InlineData("m")]
    [InlineData("1.5m")]
    public void Bad_durations_do_not_parse(string text) => Assert.False(PromParams.TryParseDuration(text, out _));

    [Theory]
    [InlineData(null, true, RemoteWriteVersion.V1)]
    [InlineData("application/x-protobuf", true, RemoteWriteVersion.V1)]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest", true, RemoteWriteVersion.V1)]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v2.Request", true, RemoteWriteVersion.V2)]
    [InlineData("application/x-protobuf; proto=io.prometheus.write.v2.Request", true, RemoteWriteVersion.V2)]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v3.Request", false, RemoteWriteVersion.V1)]
    [InlineData("application/json", false, RemoteWriteVersion.V1)]
    public void Content_type_chooses_the_message(string? contentType, bool accepted, RemoteWriteVersion version)
    {
        Assert.Equal(accepted, RemoteWriteEndpoint.TryGetVersion(contentType, out var parsed));
        if (accepted)
        {
            Assert.Equal(version, parsed);
        }
    }
}
