namespace Tsdb.PromQL;

/// <summary>
/// An <see cref="ISeriesSource"/> over series held in memory: for tests, and for anyone who needs the engine without
/// storage. Samples may be added in any order; each series keeps them sorted by time (a later add at the same time wins).
/// Not thread-safe for writes; reads may run concurrently once loading is done.
/// </summary>
public sealed class MemorySeriesSource : ISeriesSource
{
    private readonly Dictionary<Labels, SortedList<long, (double F, FloatHistogram? H)>> _series = [];

    public int SeriesCount => _series.Count;

    public void Add(Labels labels, long timestampMs, double value) => Put(labels, timestampMs, (value, null));

    /// <summary>Adds a native histogram sample.</summary>
    public void Add(Labels labels, long timestampMs, FloatHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        Put(labels, timestampMs, (0, histogram));
    }

    private void Put(Labels labels, long timestampMs, (double F, FloatHistogram? H) sample)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!_series.TryGetValue(labels, out var samples))
        {
            samples = [];
            _series[labels] = samples;
        }
        samples[timestampMs] = sample;
    }

    public void Clear() => _series.Clear();

    public ValueTask<IReadOnlyList<SeriesSamples>> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<SeriesSamples>();
        foreach (var (labels, samples) in _series)
        {
            if (!Matchers.Matches(matchers, labels))
            {
                continue;
            }
            var times = new List<long>();
            var values = new List<double>();
            // Made at the first histogram sample: a float series costs nothing more than before histograms existed.
            List<FloatHistogram?>? histograms = null;
            var keys = samples.Keys;
            var vals = samples.Values;
            for (var i = 0; i < keys.Count; i++)
            {
                if (keys[i] >= minTimeMs && keys[i] <= maxTimeMs)
                {
                    if (vals[i].H is not null && histograms is null)
                    {
                        histograms = new List<FloatHistogram?>(times.Count + 1);
                        for (var k = 0; k < times.Count; k++)
                        {
                            histograms.Add(null);
                        }
                    }
                    times.Add(keys[i]);
                    values.Add(vals[i].F);
                    histograms?.Add(vals[i].H);
                }
            }
            if (times.Count > 0)
            {
                result.Add(new SeriesSamples(labels, [.. times], [.. values]) { Histograms = histograms is null ? null : [.. histograms] });
            }
        }
        result.Sort(static (a, b) => Engine.LabelSets.Compare(a.Labels, b.Labels));
        return ValueTask.FromResult<IReadOnlyList<SeriesSamples>>(result);
    }

    public async ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matcherSets);
        var found = new HashSet<Labels>();
        if (matcherSets.Count == 0)
        {
            foreach (var s in await SelectAsync([], minTimeMs, maxTimeMs, cancellationToken).ConfigureAwait(false))
            {
                found.Add(s.Labels);
            }
        }
        foreach (var matchers in matcherSets)
        {
            foreach (var s in await SelectAsync(matchers, minTimeMs, maxTimeMs, cancellationToken).ConfigureAwait(false))
            {
                found.Add(s.Labels);
            }
        }
        var list = found.ToList();
        list.Sort(Engine.LabelSets.Compare);
        return list;
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var labels in await SeriesAsync(matcherSets, minTimeMs, maxTimeMs, cancellationToken).ConfigureAwait(false))
        {
            foreach (var label in labels)
            {
                names.Add(label.Name);
            }
        }
        return [.. names];
    }

    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var labels in await SeriesAsync(matcherSets, minTimeMs, maxTimeMs, cancellationToken).ConfigureAwait(false))
        {
            var value = labels.Get(name);
            if (value.Length > 0)
            {
                values.Add(value);
            }
        }
        return [.. values];
    }
}
