namespace Tsdb.PromQL.Engine;

/// <summary>
/// One series of a range vector: a window [Start, Start+Count) over shared sample arrays. A struct: a range query
/// makes one per series per step. Where <see cref="H"/> has an entry the sample is a native histogram.
/// </summary>
internal readonly struct RangeSeries(Labels metric, long[] timestamps, double[] values, int start, int count, bool dropName, FloatHistogram?[]? histograms = null)
{
    private readonly long[] _timestamps = timestamps;
    private readonly double[] _values = values;
    private readonly FloatHistogram?[]? _histograms = histograms;
    private readonly int _start = start;

    public Labels Metric { get; } = metric;

    public bool DropName { get; } = dropName;

    public int Count { get; } = count;

    public ReadOnlySpan<long> T => _timestamps.AsSpan(_start, Count);

    public ReadOnlySpan<double> F => _values.AsSpan(_start, Count);

    /// <summary>Whether the window may hold histogram samples (when false, every sample is a float).</summary>
    public bool MayHaveHistograms => _histograms is not null;

    /// <summary>The histogram entries of the window (empty span when the series has none).</summary>
    public ReadOnlySpan<FloatHistogram?> H => _histograms is null ? default : _histograms.AsSpan(_start, Count);
}
