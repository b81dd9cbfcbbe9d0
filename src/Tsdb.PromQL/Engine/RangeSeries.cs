namespace Tsdb.PromQL.Engine;

/// <summary>One series of a range vector: a window [Start, Start+Count) over shared sample arrays.</summary>
internal sealed class RangeSeries(Labels metric, long[] timestamps, double[] values, int start, int count, bool dropName)
{
    public Labels Metric { get; } = metric;

    public bool DropName { get; } = dropName;

    public int Count { get; } = count;

    public ReadOnlySpan<long> T => timestamps.AsSpan(start, Count);

    public ReadOnlySpan<double> F => values.AsSpan(start, Count);
}
