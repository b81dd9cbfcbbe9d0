using System.Text;
using Tsdb.PromQL;

namespace Tsdb.Prometheus.Tests;

/// <summary>The text encoding of a stored native histogram's buckets and bounds, and its round trip.</summary>
public sealed class HistogramColumnsTests
{
    private static FloatHistogram RoundTrip(FloatHistogram h)
    {
        var positive = Encoding.UTF8.GetBytes(HistogramColumns.FormatBuckets(h.PositiveSpans, h.PositiveBuckets));
        var negative = Encoding.UTF8.GetBytes(HistogramColumns.FormatBuckets(h.NegativeSpans, h.NegativeBuckets));
        var bounds = Encoding.UTF8.GetBytes(HistogramColumns.FormatBounds(h.CustomValues));
        var back = HistogramColumns.Decode(h.Count, h.Sum, h.Schema, h.ZeroThreshold, h.ZeroCount, (long)h.CounterResetHint, positive, negative, bounds, out var error);
        Assert.Null(error);
        return back!;
    }

    public static TheoryData<string, FloatHistogram> Histograms => new()
    {
        { "schema -4, both sides and the zero bucket", new FloatHistogram(-4, 0.001, 2, 12, 7.5, [new(-2, 2), new(1, 1)], [3, 5, 1], [new(0, 1)], [1], counterResetHint: HistogramCounterResetHint.NotCounterReset) },
        { "schema 8, a long run and fractional counts", new FloatHistogram(8, 0, 0, 10.5, -3.25, [new(-300, 5)], [1.5, 2, 3, 1e-5, 3.999999999], null, null, counterResetHint: HistogramCounterResetHint.Gauge) },
        { "custom buckets", new FloatHistogram(-53, 0, 0, 9, 42, [new(0, 2), new(2, 1)], [4, 2, 3], null, null, [0.1, 0.25, 1, 2.5, 1e6], HistogramCounterResetHint.CounterReset) },
        { "no buckets at all", new FloatHistogram(0, 0.5, 7, 7, 0, null, null, null, null) },
        { "only negative buckets", new FloatHistogram(3, 0, 0, 4, -100, null, null, [new(-1, 1), new(3, 2)], [1, 2, 1]) },
        { "a NaN sum and infinite values", new FloatHistogram(1, 0, 0, double.PositiveInfinity, double.NaN, [new(0, 1)], [double.PositiveInfinity], null, null) },
    };

    [Theory]
    [MemberData(nameof(Histograms))]
    public void Histograms_round_trip_exactly(string what, FloatHistogram h)
    {
        var back = RoundTrip(h);
        Assert.True(h.ExactlyEquals(back), $"{what}: {h} came back as {back}");
        Assert.Equal(h.CounterResetHint, back.CounterResetHint);
        Assert.Equal(h.CustomValues, back.CustomValues);
        Assert.Equal(BitConverter.DoubleToInt64Bits(h.Sum), BitConverter.DoubleToInt64Bits(back.Sum));
    }

    [Fact]
    public void Empty_buckets_are_left_out_and_the_histogram_stays_equal()
    {
        var h = new FloatHistogram(0, 0, 0, 4, 1, [new(0, 4)], [1, 0, 0, 3], null, null);
        Assert.Equal("0:1,2:1;1,3", HistogramColumns.FormatBuckets(h.PositiveSpans, h.PositiveBuckets));
        Assert.True(h.ExactlyEquals(RoundTrip(h)));
    }

    [Fact]
    public void The_documented_example_is_what_is_written()
    {
        Assert.Equal("-2:2,1:1;3,5,1", HistogramColumns.FormatBuckets([new(-2, 2), new(1, 1)], [3, 5, 1]));
        Assert.Equal("", HistogramColumns.FormatBuckets([], []));
        Assert.Equal("0.1,0.25,1E-05,1000000", HistogramColumns.FormatBounds([0.1, 0.25, 1e-5, 1e6]));
    }

    [Theory]
    [InlineData("0:2", "bucket text has no ';' between spans and counts")]
    [InlineData("0:x;1", "bad span '0:x'")]
    [InlineData("0:2;1,y", "bad number 'y'")]
    [InlineData("0:2;1", "spans describe 2 buckets, 1 counts given")]
    public void Text_that_is_not_the_layout_is_no_histogram(string positive, string error)
    {
        var h = HistogramColumns.Decode(1, 1, 0, 0, 0, 0, Encoding.UTF8.GetBytes(positive), [], [], out var why);
        Assert.Null(h);
        Assert.StartsWith(error, why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_marker_is_a_nan_that_is_not_the_staleness_marker()
    {
        Assert.True(double.IsNaN(HistogramColumns.Marker));
        Assert.True(HistogramColumns.IsMarker(HistogramColumns.Marker));
        Assert.False(HistogramColumns.IsMarker(double.NaN));
        Assert.False(HistogramColumns.IsMarker(BitConverter.Int64BitsToDouble(HistogramColumns.StaleBits)));
    }

    [Theory]
    [InlineData("histogram:count", "label:histogram:count")]
    [InlineData("histograms", "histograms")]
    [InlineData("value", "label:value")]
    public void Labels_that_would_collide_with_the_histogram_fields_are_escaped(string label, string tag)
    {
        Assert.Equal(tag, PrometheusNames.TagOfLabel(label));
        Assert.Equal(label, PrometheusNames.LabelOfTag(tag));
    }

    [Theory]
    [MemberData(nameof(Histograms))]
    public void The_ingest_writer_gives_the_same_text_as_FormatBuckets(string what, FloatHistogram h)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        HistogramColumns.WriteBuckets(h.PositiveBucketIndexes, h.PositiveBucketCounts, output);
        Assert.Equal(HistogramColumns.FormatBuckets(h.PositiveSpans, h.PositiveBuckets), Encoding.UTF8.GetString(output.WrittenSpan));
        output.Clear();
        HistogramColumns.WriteBuckets(h.NegativeBucketIndexes, h.NegativeBucketCounts, output);
        Assert.Equal(HistogramColumns.FormatBuckets(h.NegativeSpans, h.NegativeBuckets), Encoding.UTF8.GetString(output.WrittenSpan));
        output.Clear();
        HistogramColumns.WriteBounds(h.CustomValues, output);
        Assert.True(HistogramColumns.FormatBounds(h.CustomValues) == Encoding.UTF8.GetString(output.WrittenSpan), what);
    }

    [Fact]
    public void The_ingest_writer_gives_the_same_text_for_random_buckets()
    {
        var random = new Random(7);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        for (var round = 0; round < 2000; round++)
        {
            var spans = new List<HistogramSpan>();
            var counts = new List<double>();
            for (var s = random.Next(0, 5); s > 0; s--)
            {
                var length = (uint)random.Next(0, 6);
                spans.Add(new HistogramSpan(spans.Count == 0 ? random.Next(-1000, 1000) : random.Next(0, 4), length));
                for (var k = 0; k < length; k++)
                {
                    counts.Add(random.Next(6) switch { 0 => 0, 1 => random.Next(1, 100), 2 => Math.Floor(random.NextDouble() * 1e17), 3 => 1e15 - 1, 4 => 1e15, _ => random.NextDouble() * 1000 });
                }
            }
            var h = new FloatHistogram(0, 0, 0, counts.Sum(), 0, spans, counts, null, null);
            output.Clear();
            HistogramColumns.WriteBuckets(h.PositiveBucketIndexes, h.PositiveBucketCounts, output);
            Assert.Equal(HistogramColumns.FormatBuckets(h.PositiveSpans, h.PositiveBuckets), Encoding.UTF8.GetString(output.WrittenSpan));
        }
    }
}
