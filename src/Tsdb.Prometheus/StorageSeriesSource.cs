using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.PromQL;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Query.Execution;

namespace Tsdb.Prometheus;

/// <summary>
/// PromQL's view of one database: every numeric field of every table is a metric (see <see cref="PrometheusNames"/>;
/// the exemplar tables of <see cref="ExemplarColumns"/> are not),
/// its tags are the labels. Reads through the engine's chunk scan (buffer ∪ Parquet files, duplicates merged) with
/// the time range and equality matchers pushed down; tables whose metric names or tag columns cannot match are never
/// read. Every read throws <see cref="DatabaseNotFoundException"/>
/// when the database does not exist: an empty answer would look like "no data" to a client that named the wrong one.
/// </summary>
public sealed class StorageSeriesSource(Catalog.Catalog catalog, ITableSource tables, string database) : ISeriesSource
{
    private const long NanosPerMilli = 1_000_000;

    public string Database { get; } = database;

    /// <summary>
    /// At most this many samples per source (every <see cref="SelectAsync"/> together); one more fails the read with
    /// <see cref="SampleLimitExceededException"/>, before its samples are held. Remote read sets it; PromQL has none.
    /// </summary>
    public long SampleLimit { get; init; } = long.MaxValue;

    private long _samplesLeft = long.MinValue;   // set from SampleLimit at the first scan

    /// <summary>
    /// Where a PromQL query reserves what its reads hold (null: nowhere): each batch the scan decodes, from the
    /// process's budget before it is decoded, and the samples and series kept, as they are kept. Refused, the read
    /// fails with <see cref="QueryLimitException"/> (503 when the process is short, 422 past the query's own limit).
    /// </summary>
    public MemoryReservation? Memory { get; init; }

    /// <summary>
    /// What a kept sample costs: a time and a value (16 bytes), twice over while a series' arrays grow by doubling,
    /// copied once more into the arrays handed to the engine.
    /// </summary>
    internal const long BytesPerSample = 40;

    /// <summary>What a kept series costs besides its samples: its label set (names shared, values copied) and its entry.</summary>
    internal const long BytesPerSeries = 256;

    public async ValueTask<IReadOnlyList<SeriesSamples>> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var found = await ScanAsync(Compile(matchers), minTimeMs, maxTimeMs, withSamples: true, cancellationToken).ConfigureAwait(false);
        var result = new List<SeriesSamples>(found.Count);
        foreach (var (labels, samples) in found)
        {
            if (samples!.Count > 0)
            {
                var (times, values, histograms) = samples.ToArrays();
                // Storage keeps time order within a file, not across the pieces of an overlapping partition.
                if (!IsAscending(times))
                {
                    if (histograms is null)
                    {
                        Array.Sort(times, values);
                    }
                    else
                    {
                        var order = new int[times.Length];
                        for (var i = 0; i < order.Length; i++)
                        {
                            order[i] = i;
                        }
                        Array.Sort((long[])times.Clone(), order);
                        values = [.. order.Select(i => values[i])];
                        histograms = [.. order.Select(i => histograms[i])];
                        Array.Sort(times);
                    }
                }
                result.Add(new SeriesSamples(labels, times, values) { Histograms = histograms });
            }
        }
        // Files are sorted by tags, and tags are created in label order by remote write: usually already in order.
        if (!IsOrdered(result))
        {
            result.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        }
        return result;
    }

    private static bool IsOrdered(List<SeriesSamples> series)
    {
        for (var i = 1; i < series.Count; i++)
        {
            if (Labels.Compare(series[i - 1].Labels, series[i].Labels) > 0)
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAscending(long[] times)
    {
        for (var i = 1; i < times.Length; i++)
        {
            if (times[i] < times[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    public async ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, long minTimeMs, long maxTimeMs, CancellationToken cancellationToken)
    {
        var all = new HashSet<Labels>();
        IReadOnlyList<IReadOnlyList<LabelMatcher>> sets = matcherSets.Count == 0 ? [[]] : matcherSets;
        foreach (var set in sets)
        {
            var found = await ScanAsync(Compile(set), minTimeMs, maxTimeMs, withSamples: false, cancellationToken).ConfigureAwait(false);
            all.UnionWith(found.Keys);
        }
        var list = all.ToList();
        list.Sort(Labels.Order);
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
            if (labels.Get(name) is { Length: > 0 } value)
            {
                values.Add(value);
            }
        }
        return [.. values];
    }

    private static List<CompiledMatcher> Compile(IReadOnlyList<LabelMatcher> matchers) => [.. matchers.Select(m => new CompiledMatcher(m))];

    /// <summary>One series' samples, in arrays sized for the run that starts it (usually its only run).</summary>
    private sealed class SampleList(int capacity)
    {
        private long[] _times = new long[Math.Max(capacity, 1)];
        private double[] _values = new double[Math.Max(capacity, 1)];
        private FloatHistogram?[]? _histograms;   // made at the first histogram sample

        public int Count { get; private set; }

        public void Add(long ms, double value, FloatHistogram? histogram = null)
        {
            // Sub-millisecond line-protocol timestamps can fall on one millisecond: the later row wins.
            if (Count > 0 && _times[Count - 1] == ms)
            {
                _values[Count - 1] = value;
                SetHistogram(Count - 1, histogram);
                return;
            }
            if (Count == _times.Length)
            {
                Array.Resize(ref _times, Count * 2);
                Array.Resize(ref _values, Count * 2);
                if (_histograms is not null)
                {
                    Array.Resize(ref _histograms, Count * 2);
                }
            }
            _times[Count] = ms;
            _values[Count] = value;
            SetHistogram(Count++, histogram);
        }

        private void SetHistogram(int index, FloatHistogram? histogram)
        {
            if (histogram is not null)
            {
                _histograms ??= new FloatHistogram?[_times.Length];
            }
            if (_histograms is not null)
            {
                _histograms[index] = histogram;
            }
        }

        /// <summary>The samples; the arrays themselves when they are exactly full (the list is not used afterwards).</summary>
        public (long[] Times, double[] Values, FloatHistogram?[]? Histograms) ToArrays() =>
            Count == _times.Length ? (_times, _values, _histograms) : (_times[..Count], _values[..Count], _histograms?[..Count]);
    }

    private sealed record FieldCandidate(string Field, string Metric);

    private async Task<Dictionary<Labels, SampleList?>> ScanAsync(List<CompiledMatcher> matchers, long minTimeMs, long maxTimeMs, bool withSamples, CancellationToken cancellationToken)
    {
        var found = new Dictionary<Labels, SampleList?>();
        if (_samplesLeft == long.MinValue)
        {
            _samplesLeft = SampleLimit;
        }
        // Only reads that name a series get here: a query without selectors (Grafana's "1+1") needs no database.
        var db = catalog.Current.FindDatabase(Database) ?? throw new DatabaseNotFoundException(Database);
        var nameMatchers = matchers.Where(m => m.Name == Labels.MetricName).ToList();
        var labelMatchers = matchers.Where(m => m.Name != Labels.MetricName).ToList();
        var minNs = minTimeMs <= long.MinValue / NanosPerMilli ? long.MinValue : minTimeMs * NanosPerMilli;
        var maxNs = maxTimeMs >= long.MaxValue / NanosPerMilli ? long.MaxValue : (maxTimeMs * NanosPerMilli) + NanosPerMilli - 1;
        foreach (var table in db.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (ExemplarColumns.IsExemplarTable(table.Name))
            {
                continue;   // exemplars, not samples: /api/v1/query_exemplars reads them (StorageExemplarSource)
            }
            var candidates = new List<FieldCandidate>();
            foreach (var column in table.Columns)
            {
                if (column.Kind is ColumnKind.Float or ColumnKind.Integer or ColumnKind.UInteger && !HistogramColumns.IsHistogramColumn(column.Name))
                {
                    var metric = PrometheusNames.MetricOf(table.Name, column.Name);
                    if (nameMatchers.TrueForAll(m => m.Matches(metric)))
                    {
                        candidates.Add(new FieldCandidate(column.Name, metric));
                    }
                }
            }
            if (candidates.Count == 0 || !CanMatch(table, labelMatchers))
            {
                continue;
            }
            // An equality matcher on a label needs the tag to hold that value: chunks whose tag ranges exclude it are
            // skipped, and files (sorted by tags) skip the other series' pages by the page index.
            var required = labelMatchers.Where(m => m.IsRequiredEquality).GroupBy(m => PrometheusNames.TagOfLabel(m.Name))
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(m => m.Matcher.Value).Distinct()], StringComparer.Ordinal);
            var request = new ScanRequest(Database, table.Name) { FromTime = minNs, ToTime = maxNs, TagValues = required };
            var batchBytes = Memory is null ? (long?)null : ScanMemory.BatchBytes(Memory.Pool.Limit);
            var batches = batchBytes is { } bound
                ? ScanMemory.ReserveAsync(tables.ScanAsync(request with { MaxBatchBytes = bound }, cancellationToken), Memory!.Pool.Process, bound, window: 1, cancellationToken)
                : tables.ScanAsync(request, cancellationToken);
            await foreach (var batch in batches.ConfigureAwait(false))
            {
                using (batch)
                {
                    var (samplesBefore, seriesBefore) = (_samplesLeft, found.Count);
                    ScanBatch(batch, table, candidates, labelMatchers, minNs, maxNs, withSamples, found, ref _samplesLeft);
                    if (_samplesLeft < 0)
                    {
                        throw new SampleLimitExceededException(SampleLimit);
                    }
                    if (Memory is not null)
                    {
                        // Waits in line when the budget is short (the evaluation is under way; its wait is bounded).
                        await Memory.GrowAsync(((samplesBefore - _samplesLeft) * BytesPerSample) + ((found.Count - seriesBefore) * BytesPerSeries), running: true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        return found;
    }

    /// <summary>False when some matcher needs a label the table has no tag column for (an absent label is "").</summary>
    private static bool CanMatch(TableDefinition table, List<CompiledMatcher> labelMatchers)
    {
        foreach (var m in labelMatchers)
        {
            var column = table.FindColumn(PrometheusNames.TagOfLabel(m.Name));
            if ((column is null || column.Kind != ColumnKind.Tag) && !m.Matches(""))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A batch's tag columns as dictionary keys (-1 for null), how their labels (plus <c>__name__</c>) fall in
    /// label-name order, and each label matcher's verdict per dictionary entry, so rows of series a matcher refuses are
    /// skipped by one array lookup without building their labels.
    /// </summary>
    private sealed class BatchTags : IDisposable
    {
        public BatchTags(RecordBatch batch, TableDefinition table, List<CompiledMatcher> labelMatchers)
        {
            foreach (var column in table.Columns)
            {
                if (column.Kind == ColumnKind.Tag && batch.Column(column.Name) is DictionaryArray array)
                {
                    Tags.Add((PrometheusNames.LabelOfTag(column.Name), array, new string?[array.Dictionary.Length]));
                }
            }
            Order = new int[Tags.Count];
            for (var i = 0; i < Order.Length; i++)
            {
                Order[i] = i;
            }
            Array.Sort(Order, (a, b) => string.CompareOrdinal(Tags[a].Label, Tags[b].Label));
            Ordered = true;
            for (var i = 0; i < Order.Length; i++)
            {
                var label = Tags[Order[i]].Label;
                if (label == Labels.MetricName || (i > 0 && label == Tags[Order[i - 1]].Label))
                {
                    Ordered = false;
                }
                if (string.CompareOrdinal(label, Labels.MetricName) < 0)
                {
                    NamePosition = i + 1;
                }
            }
            Buffer = new Label[Tags.Count + 1];
            Scratch = new Label[Tags.Count + 1];
            Keys = new int[Tags.Count][];
            for (var t = 0; t < Tags.Count; t++)
            {
                Keys[t] = KeysOf(Tags[t].Array);
            }
            if (Ordered)
            {
                foreach (var m in labelMatchers)
                {
                    var tag = Tags.FindIndex(t => t.Label == m.Name);
                    if (tag < 0)
                    {
                        RefusesAll |= !m.Matches("");
                    }
                    else
                    {
                        Filters.Add((tag, m, new sbyte[Tags[tag].Array.Dictionary.Length], m.Matches("")));
                    }
                }
            }
        }

        public List<(string Label, DictionaryArray Array, string?[] Decoded)> Tags { get; } = [];

        /// <summary>Each tag's dictionary key per row (-1 where null), from the shared pool.</summary>
        public int[][] Keys { get; }

        /// <summary>Matchers on tag labels: tag, matcher, verdict per dictionary entry (0 not yet known, 1 passes, -1 fails), verdict for null.</summary>
        public List<(int Tag, CompiledMatcher Matcher, sbyte[] Verdicts, bool NullPasses)> Filters { get; } = [];

        /// <summary>A matcher on a label no tag carries refuses the empty value: no row of the batch matches.</summary>
        public bool RefusesAll { get; }

        /// <summary>Tag indices in label-name order.</summary>
        public int[] Order { get; }

        /// <summary>How many tags' labels sort before <c>__name__</c>.</summary>
        public int NamePosition { get; }

        /// <summary>False when two tags read as one label, or a tag as <c>__name__</c>: such label sets are built (and refused) by <see cref="Labels.From(IEnumerable{Label})"/>.</summary>
        public bool Ordered { get; }

        /// <summary>A run's labels in order.</summary>
        public Label[] Buffer { get; }

        /// <summary>A run's labels with <c>__name__</c> in its place, before they are copied into a label set.</summary>
        public Label[] Scratch { get; }

        /// <summary>A tag's value for a dictionary key (decoded once per batch), "" for null.</summary>
        public string ValueOf(int tag, int key)
        {
            if (key < 0)
            {
                return "";
            }
            var (_, array, decoded) = Tags[tag];
            return decoded[key] ??= ((StringArray)array.Dictionary).GetString(key) ?? "";
        }

        /// <summary>Whether every tag matcher passes at <paramref name="row"/>; if not, the first row after it with a different key for the failing tag.</summary>
        public bool Passes(int row, int length, out int next)
        {
            foreach (var (tag, matcher, verdicts, nullPasses) in Filters)
            {
                var keys = Keys[tag];
                var key = keys[row];
                bool pass;
                if (key < 0)
                {
                    pass = nullPasses;
                }
                else
                {
                    if (verdicts[key] == 0)
                    {
                        verdicts[key] = matcher.Matches(ValueOf(tag, key)) ? (sbyte)1 : (sbyte)-1;
                    }
                    pass = verdicts[key] > 0;
                }
                if (!pass)
                {
                    next = row + 1;
                    while (next < length && keys[next] == key)
                    {
                        next++;
                    }
                    return false;
                }
            }
            next = row;
            return true;
        }

        /// <summary>Whether rows <paramref name="a"/> and <paramref name="b"/> have the same tag values.</summary>
        public bool SameTags(int a, int b)
        {
            foreach (var keys in Keys)
            {
                if (keys[a] != keys[b])
                {
                    return false;
                }
            }
            return true;
        }

        private static int[] KeysOf(DictionaryArray array)
        {
            var keys = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(array.Length, 1));
            if (array.Type.IndexType!.Id == Tsdb.Arrow.Types.ArrowTypeId.Int32)
            {
                array.Int32Indices.CopyTo(keys);
            }
            else
            {
                for (var i = 0; i < array.Length; i++)
                {
                    keys[i] = checked((int)array.GetIndex(i));
                }
            }
            if (array.NullCount > 0)
            {
                for (var i = 0; i < array.Length; i++)
                {
                    if (array.IsNull(i))
                    {
                        keys[i] = -1;
                    }
                }
            }
            return keys;
        }

        public void Dispose()
        {
            foreach (var keys in Keys)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(keys);
            }
        }
    }

    private static void ScanBatch(RecordBatch batch, TableDefinition table, List<FieldCandidate> candidates, List<CompiledMatcher> labelMatchers, long minNs, long maxNs, bool withSamples, Dictionary<Labels, SampleList?> found, ref long samplesLeft)
    {
        if (batch.Column(TableDefinition.TimeColumn) is not TimestampArray timeArray)
        {
            return;
        }
        var times = timeArray.Values;
        using var tags = new BatchTags(batch, table, labelMatchers);
        if (tags.RefusesAll)
        {
            return;
        }
        var fields = candidates.Select(c => batch.Column(c.Field)).ToArray();
        var histograms = HistogramArrays.Of(batch);
        var length = batch.Length;
        var start = 0;
        while (start < length)
        {
            if (!tags.Passes(start, length, out var next))
            {
                start = next;
                continue;
            }
            var end = start + 1;
            while (end < length && tags.SameTags(start, end))
            {
                end++;
            }
            ScanRun(tags, start, end, times, fields, histograms, candidates, labelMatchers, minNs, maxNs, withSamples, found, ref samplesLeft);
            if (samplesLeft < 0)
            {
                return;
            }
            start = end;
        }
    }

    private static void ScanRun(BatchTags tags, int start, int end, ReadOnlySpan<long> times, ArrowArray?[] fields, HistogramArrays? histograms,
        List<FieldCandidate> candidates, List<CompiledMatcher> labelMatchers, long minNs, long maxNs, bool withSamples, Dictionary<Labels, SampleList?> found, ref long samplesLeft)
    {
        // The run's labels in name order (absent and empty tags left out), the slot for __name__ kept open.
        var buffer = tags.Buffer;
        var count = 0;
        var nameSlot = 0;
        for (var i = 0; i < tags.Order.Length; i++)
        {
            if (i == tags.NamePosition)
            {
                nameSlot = count;
            }
            var tag = tags.Order[i];
            var value = tags.ValueOf(tag, tags.Keys[tag][start]);
            if (value.Length > 0)
            {
                buffer[count++] = new Label(tags.Tags[tag].Label, value);
            }
        }
        if (tags.NamePosition == tags.Order.Length)
        {
            nameSlot = count;
        }
        var present = buffer.AsSpan(0, count);
        if (!tags.Ordered)
        {
            _ = Labels.From([.. present]);   // refuses two tags that read as one label, as for every other series
        }
        if (!tags.Ordered)
        {
            // The batch's filters only cover label sets whose tags map to distinct labels.
            foreach (var m in labelMatchers)
            {
                if (!m.Matches(ValueOf(present, m.Name)))
                {
                    return;
                }
            }
        }
        for (var f = 0; f < candidates.Count; f++)
        {
            var field = fields[f];
            if (field is null)
            {
                continue;
            }
            var noNulls = field.NullCount == 0;
            SampleList? samples = null;
            var any = false;
            for (var row = start; row < end; row++)
            {
                var t = times[row];
                if (t < minNs || t > maxNs || (!noNulls && field.IsNull(row)))
                {
                    continue;
                }
                if (!any)
                {
                    any = true;
                    var key = SeriesLabels(tags, count, nameSlot, candidates[f].Metric);
                    if (!found.TryGetValue(key, out samples))
                    {
                        samples = withSamples ? new SampleList(end - row) : null;
                        found[key] = samples;
                    }
                    if (!withSamples)
                    {
                        break;
                    }
                }
                var value = field switch
                {
                    DoubleArray d => d.Values[row],
                    Int64Array i => i.Values[row],
                    UInt64Array u => u.Values[row],
                    _ => double.NaN,
                };
                FloatHistogram? histogram = null;
                if (HistogramColumns.IsMarker(value) && histograms is not null && candidates[f].Field == PrometheusNames.ValueField)
                {
                    // A row that holds no readable histogram (written by something else) is no sample.
                    histogram = histograms.At(row);
                    if (histogram is null)
                    {
                        continue;
                    }
                }
                if (--samplesLeft < 0)
                {
                    return;
                }
                samples!.Add(FloorDiv(t, NanosPerMilli), value, histogram);
            }
        }
    }

    /// <summary>The run's labels (in the batch's buffer) with <c>__name__</c> put in its place.</summary>
    private static Labels SeriesLabels(BatchTags tags, int count, int nameSlot, string metric)
    {
        var buffer = tags.Buffer;
        if (!tags.Ordered)
        {
            return Labels.From([.. buffer.AsSpan(0, count), new Label(Labels.MetricName, metric)]);
        }
        var labels = tags.Scratch.AsSpan(0, count + 1);
        buffer.AsSpan(0, nameSlot).CopyTo(labels);
        labels[nameSlot] = new Label(Labels.MetricName, metric);
        buffer.AsSpan(nameSlot, count - nameSlot).CopyTo(labels[(nameSlot + 1)..]);
        return Labels.FromOrdered(labels);
    }

    /// <summary>A label's value among a run's labels, "" when absent (what a matcher sees for a missing label).</summary>
    private static string ValueOf(ReadOnlySpan<Label> labels, string name)
    {
        foreach (var label in labels)
        {
            if (label.Name == name)
            {
                return label.Value;
            }
        }
        return "";
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;
}
