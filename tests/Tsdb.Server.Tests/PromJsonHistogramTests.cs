using System.Text.Json;
using Tsdb.PromQL;
using Tsdb.Server.Http;

namespace Tsdb.Server.Tests;

/// <summary>
/// Native histogram results in the query API's JSON, against Prometheus' documented shape (querying/api.md, "Native
/// histograms"): <c>"histogram": [t, {"count","sum","buckets":[[rule, lower, upper, count],…]}]</c> in vectors,
/// <c>"histograms"</c> beside <c>"values"</c> in matrices; rule 0 = (lower, upper], 1 = [lower, upper), 3 = [lower, upper].
/// </summary>
public sealed class PromJsonHistogramTests
{
    private static readonly FloatHistogram Example = new(0, 0.001, 2, 20, 10,
        [new HistogramSpan(0, 2)], [1, 2], [new HistogramSpan(0, 2)], [1, 2]);

    private static JsonElement Write(PromQLValue value)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            PromJsonWriter.Value(json, value);
        }
        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void A_vector_sample_that_is_a_histogram_has_histogram_instead_of_value()
    {
        var root = Write(new VectorValue([
            new VectorSample(Labels.From(("job", "api")), 1_500, 0) { Histogram = Example },
            new VectorSample(Labels.From(("job", "db")), 1_500, 3),
        ]));
        Assert.Equal("vector", root.GetProperty("resultType").GetString());
        var first = root.GetProperty("result")[0];
        Assert.False(first.TryGetProperty("value", out _));
        var pair = first.GetProperty("histogram");
        Assert.Equal(1.5, pair[0].GetDouble());
        var h = pair[1];
        Assert.Equal("20", h.GetProperty("count").GetString());
        Assert.Equal("10", h.GetProperty("sum").GetString());
        // Negative buckets [−2, −1) and [−1, −0.5), the zero bucket [−0.001, 0.001], positive (0.5, 1] and (1, 2].
        var buckets = h.GetProperty("buckets").EnumerateArray()
            .Select(b => $"{b[0].GetInt32()} {b[1].GetString()} {b[2].GetString()} {b[3].GetString()}").ToList();
        Assert.Equal(["1 -2 -1 2", "1 -1 -0.5 1", "3 -0.001 0.001 2", "0 0.5 1 1", "0 1 2 2"], buckets);
        var second = root.GetProperty("result")[1];
        Assert.Equal("3", second.GetProperty("value")[1].GetString());
        Assert.False(second.TryGetProperty("histogram", out _));
    }

    [Fact]
    public void A_matrix_series_lists_histogram_points_apart_from_float_points()
    {
        var custom = new FloatHistogram(FloatHistogram.CustomBucketsSchema, 0, 0, 3, 1.5, [new HistogramSpan(0, 2)], [1, 0], null, null, [0.25]);
        var root = Write(new MatrixValue([
            new MatrixSeries(Labels.From(("s", "mixed")), [new Point(1_000, 1)]) { Histograms = [new HistogramPoint(2_000, custom)] },
            new MatrixSeries(Labels.From(("s", "histograms")), []) { Histograms = [new HistogramPoint(3_000, custom)] },
            new MatrixSeries(Labels.From(("s", "floats")), [new Point(4_000, 2)]),
        ]));
        var series = root.GetProperty("result");
        Assert.Equal("1", series[0].GetProperty("values")[0][1].GetString());
        var point = series[0].GetProperty("histograms")[0];
        Assert.Equal(2, point[0].GetDouble());
        // The custom bucket (−Inf, 0.25]; the empty (0.25, +Inf] is not written.
        var bucket = Assert.Single(point[1].GetProperty("buckets").EnumerateArray());
        Assert.Equal("0 -Inf 0.25 1", $"{bucket[0].GetInt32()} {bucket[1].GetString()} {bucket[2].GetString()} {bucket[3].GetString()}");
        Assert.False(series[1].TryGetProperty("values", out _));
        Assert.Equal(1, series[1].GetProperty("histograms").GetArrayLength());
        Assert.False(series[2].TryGetProperty("histograms", out _));
        Assert.Equal(1, series[2].GetProperty("values").GetArrayLength());
    }

    [Fact]
    public void A_histogram_without_observations_has_no_buckets_key()
    {
        var empty = new FloatHistogram(0, 0, 0, 0, 0, null, null, null, null);
        var h = Write(new VectorValue([new VectorSample(Labels.Empty, 0, 0) { Histogram = empty }])).GetProperty("result")[0].GetProperty("histogram")[1];
        Assert.Equal("0", h.GetProperty("count").GetString());
        Assert.False(h.TryGetProperty("buckets", out _));
    }
}
