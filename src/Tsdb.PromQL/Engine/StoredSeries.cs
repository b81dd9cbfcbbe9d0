namespace Tsdb.PromQL.Engine;

/// <summary>A selector's series as fetched once per query, samples in time order; <see cref="H"/> as in <see cref="SeriesSamples.Histograms"/>.</summary>
internal sealed class StoredSeries(Labels metric, long[] timestamps, double[] values, FloatHistogram?[]? histograms)
{
    public Labels Metric { get; } = metric;

    public long[] T { get; } = timestamps;

    public double[] F { get; } = values;

    public FloatHistogram?[]? H { get; } = histograms;
}
