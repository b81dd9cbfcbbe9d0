namespace Tsdb.PromQL.Engine;

/// <summary>
/// One series of a range vector: a window [Start, Start+Count) over shared sample arrays. A struct: a range query
/// makes one per series per step.
/// </summary>
internal readonly struct RangeSeries(Labels metric, long[] timestamps, double[] values, int start, int count, bool dropName)
{
    private readonly long[] _timestamps = timestamps;
    private readonly double[] _values = values;
    private readonly int _start = start;

    public Labels Metric { get; } = metric;

    public bool DropName { get; } = dropName;

    public int Count { get; } = count;

    public ReadOnlySpan<long> T => _timestamps.AsSpan(_start, Count);

    public ReadOnlySpan<double> F => _values.AsSpan(_start, Count);
}
