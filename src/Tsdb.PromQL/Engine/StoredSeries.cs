namespace Tsdb.PromQL.Engine;

/// <summary>A selector's series as fetched once per query, samples in time order.</summary>
internal sealed class StoredSeries(Labels metric, long[] timestamps, double[] values)
{
    public Labels Metric { get; } = metric;

    public long[] T { get; } = timestamps;

    public double[] F { get; } = values;
}
