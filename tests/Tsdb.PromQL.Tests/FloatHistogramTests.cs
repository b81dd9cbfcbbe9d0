namespace Tsdb.PromQL.Tests;

/// <summary>
/// The native histogram type against values worked out by hand from Prometheus' definitions (bucket i of schema s is
/// (2^((i−1)·2^−s), 2^(i·2^−s)]; custom bucket i is (b[i−1], b[i]]; quantiles interpolate exponentially in
/// exponential buckets and linearly in custom ones).
/// </summary>
public sealed class FloatHistogramTests
{
    private static FloatHistogram Exponential(int schema, int offset, double[] buckets, double count, double sum = 0,
        double zeroThreshold = 0, double zeroCount = 0, int negativeOffset = 0, double[]? negativeBuckets = null,
        HistogramCounterResetHint hint = HistogramCounterResetHint.Unknown) =>
        new(schema, zeroThreshold, zeroCount, count, sum,
            buckets.Length > 0 ? [new HistogramSpan(offset, (uint)buckets.Length)] : null, buckets,
            negativeBuckets is { Length: > 0 } ? [new HistogramSpan(negativeOffset, (uint)negativeBuckets.Length)] : null, negativeBuckets,
            counterResetHint: hint);

    private static FloatHistogram Custom(double[] bounds, double[] buckets, double count, double sum = 0) =>
        new(FloatHistogram.CustomBucketsSchema, 0, 0, count, sum, [new HistogramSpan(0, (uint)buckets.Length)], buckets, null, null, bounds);

    [Theory]
    [InlineData(0, 1, 1, 2)]
    [InlineData(0, 0, 0.5, 1)]
    [InlineData(-1, 1, 1, 4)]
    [InlineData(2, 4, 1.6817928305074290, 2)]
    [InlineData(3, -8, 0.4585020216023356, 0.5)]
    public void Exponential_bucket_bounds_follow_the_schema(int schema, int index, double lower, double upper)
    {
        var bucket = Assert.Single(Exponential(schema, index, [1], 1).AllBuckets());
        Assert.Equal(lower, bucket.Lower, 12);
        Assert.Equal(upper, bucket.Upper, 12);
        Assert.False(bucket.LowerInclusive);
        Assert.True(bucket.UpperInclusive);
    }

    [Fact]
    public void Custom_buckets_run_from_minus_infinity_to_plus_infinity()
    {
        var buckets = Custom([1, 2], [1, 2, 3], 6).AllBuckets().ToList();
        Assert.Equal([(double.NegativeInfinity, 1.0), (1.0, 2.0), (2.0, double.PositiveInfinity)], buckets.Select(b => (b.Lower, b.Upper)));
    }

    [Fact]
    public void Spans_are_read_and_written_in_Prometheus_layout()
    {
        var h = new FloatHistogram(0, 0, 0, 6, 0, [new HistogramSpan(-1, 2), new HistogramSpan(3, 1)], [1, 2, 3], null, null);
        Assert.Equal([0.5, 1.0, 16.0], h.AllBuckets().Select(b => b.Upper));
        Assert.Equal([new HistogramSpan(-1, 2), new HistogramSpan(3, 1)], h.PositiveSpans);
        Assert.Equal([1.0, 2.0, 3.0], h.PositiveBuckets);
    }

    [Fact]
    public void Bad_layouts_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new FloatHistogram(9, 0, 0, 0, 0, null, null, null, null));
        Assert.Throws<ArgumentException>(() => new FloatHistogram(0, 0, 0, 0, 0, [new HistogramSpan(0, 2)], [1], null, null));
        Assert.Throws<ArgumentException>(() => Custom([2, 1], [1], 1));
        Assert.Throws<ArgumentException>(() => Custom([1], [1, 1, 1], 3));
    }

    [Fact]
    public void Adding_reduces_to_the_lower_schema()
    {
        // Schema 1 buckets (1, √2] and (√2, 2] both lie in schema 0's (1, 2].
        var fine = Exponential(1, 1, [1, 2], 3, sum: 4);
        var coarse = Exponential(0, 1, [3, 5], 8, sum: 10);
        Assert.True(fine.TryAdd(coarse, out var sum, out var reconciled));
        Assert.False(reconciled);
        Assert.Equal(0, sum.Schema);
        Assert.Equal(11, sum.Count);
        Assert.Equal(14, sum.Sum);
        Assert.Equal([new HistogramSpan(1, 2)], sum.PositiveSpans);
        Assert.Equal([6.0, 5.0], sum.PositiveBuckets);
    }

    [Fact]
    public void Subtracting_keeps_negative_differences()
    {
        var a = Exponential(0, 0, [1, 4], 5);
        var b = Exponential(0, 0, [2, 1], 3);
        var d = a.Subtract(b);
        Assert.Equal(2, d.Count);
        Assert.Equal([-1.0, 3.0], d.PositiveBuckets);
    }

    [Fact]
    public void A_wider_zero_bucket_absorbs_the_buckets_below_its_threshold()
    {
        var wide = Exponential(0, 2, [1], 2, zeroThreshold: 0.5, zeroCount: 1);
        // (0.25, 0.5] lies inside [−0.5, 0.5].
        var narrow = Exponential(0, -1, [2], 2);
        var sum = wide.Add(narrow);
        Assert.Equal(0.5, sum.ZeroThreshold);
        Assert.Equal(3, sum.ZeroCount);
        Assert.Equal([new HistogramSpan(2, 1)], sum.PositiveSpans);
    }

    [Fact]
    public void A_zero_threshold_inside_a_populated_bucket_grows_to_its_upper_bound()
    {
        var wide = Exponential(0, 3, [1], 2, zeroThreshold: 0.7, zeroCount: 1);
        // (0.5, 1] straddles 0.7: the zero bucket becomes [−1, 1] and takes it whole.
        var other = Exponential(0, 0, [2], 2);
        var sum = wide.Add(other);
        Assert.Equal(1, sum.ZeroThreshold);
        Assert.Equal(3, sum.ZeroCount);
    }

    [Fact]
    public void Custom_buckets_with_different_bounds_meet_at_the_bounds_they_share()
    {
        var a = Custom([1, 2, 4], [1, 1, 1, 1], 4);
        var b = Custom([2, 8], [5, 5, 5], 15);
        Assert.True(a.TryAdd(b, out var sum, out var reconciled));
        Assert.True(reconciled);
        Assert.Equal([2.0], sum.CustomValues);
        // ≤2: 1+1+5; >2: 1+1+5+5.
        Assert.Equal([7.0, 12.0], sum.PositiveBuckets);
        Assert.Equal(19, sum.Count);
    }

    [Fact]
    public void Exponential_and_custom_buckets_do_not_add()
    {
        Assert.False(Exponential(0, 0, [1], 1).TryAdd(Custom([1], [1], 1), out _, out _));
        Assert.Throws<InvalidOperationException>(() => Custom([1], [1], 1).Subtract(Exponential(0, 0, [1], 1)));
    }

    [Fact]
    public void Scaling_multiplies_every_count_and_the_sum()
    {
        var h = Exponential(0, 0, [1, 2], 3, sum: 6, zeroThreshold: 0.001, zeroCount: 4, negativeBuckets: [5]).Scale(0.5);
        Assert.Equal(1.5, h.Count);
        Assert.Equal(3, h.Sum);
        Assert.Equal(2, h.ZeroCount);
        Assert.Equal([0.5, 1.0], h.PositiveBuckets);
        Assert.Equal([2.5], h.NegativeBuckets);
        Assert.Equal(double.PositiveInfinity, Exponential(0, 0, [1], 1).Divide(0).Count);
    }

    [Fact]
    public void Counter_resets_are_detected_from_falls_or_taken_from_the_hint()
    {
        var before = Exponential(0, 0, [2, 2], 4);
        Assert.False(Exponential(0, 0, [3, 2], 5).DetectReset(before));
        Assert.True(Exponential(0, 0, [1, 2], 3).DetectReset(before));
        // Same count, but one bucket fell.
        Assert.True(Exponential(0, 0, [1, 4], 4).DetectReset(before));
        // A finer schema than before cannot continue the counter.
        Assert.True(Exponential(1, 0, [2, 2], 4).DetectReset(before));
        Assert.False(Exponential(0, 0, [1], 1, hint: HistogramCounterResetHint.NotCounterReset).DetectReset(before));
        Assert.True(Exponential(0, 0, [9, 9], 18, hint: HistogramCounterResetHint.CounterReset).DetectReset(before));
        Assert.True(Custom([1], [2, 2], 4).DetectReset(before));
    }

    [Fact]
    public void Quantiles_interpolate_exponentially_in_exponential_buckets()
    {
        // One bucket (1, 2] holding 4: rank 1 is a quarter in, 2^0.25; rank 3 (found from the top) 2^0.75.
        var h = Exponential(0, 1, [4], 4, sum: 6);
        Assert.Equal(Math.Pow(2, 0.25), h.Quantile(0.25), 12);
        Assert.Equal(Math.Pow(2, 0.75), h.Quantile(0.75), 12);
        Assert.Equal(double.NegativeInfinity, h.Quantile(-0.1));
        Assert.Equal(double.PositiveInfinity, h.Quantile(1.1));
        Assert.True(double.IsNaN(Exponential(0, 1, [], 0).Quantile(0.5)));
    }

    [Fact]
    public void Quantiles_interpolate_linearly_in_custom_buckets()
    {
        var h = Custom([1, 2, 4], [0, 4, 4, 0], 8, sum: 18);
        Assert.Equal(1.5, h.Quantile(0.25), 12);
        Assert.Equal(3, h.Quantile(0.75), 12);
        // The +Inf bucket answers its lower bound.
        Assert.Equal(4, Custom([1, 2, 4], [0, 0, 0, 2], 2).Quantile(0.5));
    }

    [Fact]
    public void Fractions_count_whole_buckets_and_interpolate_the_edges()
    {
        var h = Custom([1, 2, 4], [0, 4, 4, 0], 8, sum: 18);
        // Half of (1, 2] and half of (2, 4]: 4 of 8.
        Assert.Equal(0.5, h.Fraction(1.5, 3), 12);
        Assert.Equal(1, h.Fraction(double.NegativeInfinity, double.PositiveInfinity), 12);
        Assert.Equal(0, h.Fraction(3, 2));
        Assert.True(double.IsNaN(h.Fraction(double.NaN, 1)));
    }

    [Fact]
    public void Variance_places_observations_at_bucket_midpoints()
    {
        // Mean 18/8 = 2.25; midpoints 1.5 and 3 are both 0.75 away.
        var h = Custom([1, 2, 4], [0, 4, 4, 0], 8, sum: 18);
        Assert.Equal(0.5625, h.Variance(), 12);
        // Exponential buckets use the geometric mean: (1, 4] at schema −1 → 2, the mean itself.
        Assert.Equal(0, Exponential(-1, 1, [3], 3, sum: 6).Variance(), 12);
    }

    [Fact]
    public void ToString_matches_Prometheus_for_count_values()
    {
        var h = Exponential(0, 0, [1, 2], 20, sum: 10, zeroThreshold: 0.001, zeroCount: 2, negativeBuckets: [1, 2]);
        Assert.Equal("{count:20, sum:10, [-2,-1):2, [-1,-0.5):1, [-0.001,0.001]:2, (0.5,1]:1, (1,2]:2}", h.ToString());
        Assert.Equal("{count:1e+06, sum:2.5e-05}", Exponential(0, 0, [], 1e6, sum: 2.5e-5).ToString());
    }

    [Fact]
    public void Equality_ignores_empty_buckets_and_the_hint()
    {
        var a = Exponential(0, 0, [1, 0, 2], 3);
        var b = new FloatHistogram(0, 0, 0, 3, 0, [new HistogramSpan(0, 1), new HistogramSpan(1, 1)], [1, 2], null, null, counterResetHint: HistogramCounterResetHint.Gauge);
        Assert.True(a.ExactlyEquals(b));
        Assert.False(a.ExactlyEquals(Exponential(0, 0, [1, 0, 3], 3)));
    }
}
