namespace Tsdb.PromQL.Tests;

/// <summary>Native histogram samples through the engine's public contract: a source hands them over, results carry them.</summary>
public sealed class NativeHistogramQueryTests
{
    private static readonly Labels Series = Labels.From(("__name__", "latency"), ("job", "api"));

    private static FloatHistogram Histogram(double count, double sum = 1) =>
        new(0, 0, 0, count, sum, [new HistogramSpan(0, 1)], [count], null, null);

    [Fact]
    public async Task An_instant_query_returns_the_histogram_sample()
    {
        var source = new MemorySeriesSource();
        source.Add(Series, 10_000, Histogram(3));
        var result = await new PromQLEngine(source).InstantQueryAsync("latency", 20_000, CancellationToken.None);
        var sample = Assert.Single(((VectorValue)result.Value).Samples);
        Assert.NotNull(sample.Histogram);
        Assert.Equal(3, sample.Histogram.Count);
    }

    [Fact]
    public async Task A_float_staleness_marker_or_a_stale_sum_ends_a_histogram_series()
    {
        var stale = BitConverter.UInt64BitsToDouble(0x7FF0000000000002);
        var source = new MemorySeriesSource();
        source.Add(Series, 10_000, Histogram(3));
        source.Add(Series, 20_000, stale);
        var other = Labels.From(("__name__", "latency"), ("job", "db"));
        source.Add(other, 10_000, Histogram(3));
        source.Add(other, 20_000, Histogram(0, sum: stale));
        var engine = new PromQLEngine(source);
        Assert.Equal(2, ((VectorValue)(await engine.InstantQueryAsync("latency", 15_000, CancellationToken.None)).Value).Samples.Count);
        Assert.Empty(((VectorValue)(await engine.InstantQueryAsync("latency", 25_000, CancellationToken.None)).Value).Samples);
        // A range selector leaves the markers out: one sample per series.
        var counts = (VectorValue)(await engine.InstantQueryAsync("count_over_time(latency[1m])", 25_000, CancellationToken.None)).Value;
        Assert.All(counts.Samples, s => Assert.Equal(1, s.Value));
    }

    [Fact]
    public async Task A_range_query_keeps_float_and_histogram_points_apart()
    {
        var source = new MemorySeriesSource();
        source.Add(Series, 0, 1);
        source.Add(Series, 60_000, Histogram(2));
        var result = await new PromQLEngine(source).RangeQueryAsync("latency", 0, 60_000, 60_000, CancellationToken.None);
        var series = Assert.Single(((MatrixValue)result.Value).Series);
        Assert.Equal([new Point(0, 1)], series.Points);
        var point = Assert.Single(series.Histograms);
        Assert.Equal(60_000, point.TimestampMs);
        Assert.Equal(2, point.Histogram.Count);
    }

    [Fact]
    public void Integer_histograms_convert_from_bucket_deltas()
    {
        var h = FloatHistogram.FromIntegerDeltas(1, 0, 0, 4, 2.5, [new HistogramSpan(0, 3)], [1, 1, -1], null, null);
        Assert.Equal([1.0, 2.0, 1.0], h.PositiveBuckets);
        Assert.Equal(4, h.Count);
    }

    [Fact]
    public async Task A_source_with_a_histogram_array_of_the_wrong_length_is_an_execution_error()
    {
        var source = new FixedSource(new SeriesSamples(Series, [1_000, 2_000], [0, 0]) { Histograms = [Histogram(1)] });
        var e = await Assert.ThrowsAsync<PromQLException>(() => new PromQLEngine(source).InstantQueryAsync("latency", 2_000, CancellationToken.None));
        Assert.Equal("execution", e.ErrorTypeName);
        Assert.Equal("series {__name__=\"latency\", job=\"api\"}: 1 histogram entries for 2 samples", e.Message);
    }

    private sealed class FixedSource(SeriesSamples series) : ISeriesSource
    {
        public ValueTask<IReadOnlyList<SeriesSamples>> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<SeriesSamples>>([series]);

        public ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Labels>>([series.Labels]);

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([]);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([]);
    }
}
