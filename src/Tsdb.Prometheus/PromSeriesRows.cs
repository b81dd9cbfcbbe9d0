using System.Buffers;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;
using Tsdb.Ingest;

namespace Tsdb.Prometheus;

/// <summary>
/// Prometheus series' reader for the shared <see cref="WriteStager"/>: a series (metric name → table, labels → tags,
/// float samples → time and <c>value</c>, native histograms → a row each in the layout of <see cref="HistogramColumns"/>)
/// is checked completely before any of its samples is appended, then appended
/// as one run of rows per UTC day. Samples older than the table's retention are dropped and reported (Prometheus'
/// "out of bounds"), the series' other samples stay. Exemplars go to the metric's exemplar table
/// (<see cref="ExemplarColumns"/>), each checked alone. Remote write 1.0 and 2.0 feed it, and so can any protocol that
/// produces <see cref="PromSeries"/>.
/// </summary>
internal sealed class PromSeriesRows(WriteStager stager)
{
    private const long NanosPerMilli = 1_000_000;

    private readonly List<string> _tagValues = [];
    private int[] _slots = new int[16];
    private long[] _times = new long[256];
    private double[] _values = new double[256];

    private readonly int[] _histogramSlots = new int[HistogramColumns.Columns.Count];
    private readonly ArrayBufferWriter<byte> _text = new(256);

    /// <summary>Float samples staged.</summary>
    public long SamplesStaged { get; private set; }

    /// <summary>Native histogram samples staged.</summary>
    public long HistogramsStaged { get; private set; }

    /// <summary>Samples dropped because they are older than their table's retention (Prometheus' "out of bounds").</summary>
    public long SamplesOutOfBounds { get; private set; }

    /// <summary>One message per series that lost samples to retention; its other samples were stored.</summary>
    public List<string> OutOfBounds { get; } = [];

    /// <summary>Exemplars staged (into the metrics' exemplar tables).</summary>
    public long ExemplarsStaged { get; private set; }

    /// <summary>Exemplars refused (invalid, or older than the retention); their series' samples are not affected.</summary>
    public long ExemplarsRefused { get; private set; }

    /// <summary>One message per refused exemplar (or per series whose exemplars could not be stored at all).</summary>
    public List<string> ExemplarErrors { get; } = [];

    private readonly List<string> _exemplarTagValues = [];
    private int[] _exemplarSlots = new int[16];

    /// <summary>Stages the float samples of one series; returns why it was refused, or null.</summary>
    public string? Stage(in PromSeries series)
    {
        var labels = series.Labels;
        var name = "";
        for (var i = 0; i < labels.Count; i++)
        {
            var (labelName, value) = labels[i];
            if (labelName.Length == 0)
            {
                return $"series {series.Describe()}: a label has an empty name";
            }
            for (var j = 0; j < i; j++)
            {
                if (labels[j].Name == labelName)
                {
                    return $"series {series.Describe()}: label '{labelName}' appears more than once";
                }
            }
            if (labelName == "__name__")
            {
                name = value;
            }
        }
        if (name.Length == 0)
        {
            return $"series {series.Describe()}: no metric name (label __name__)";
        }
        if (ExemplarColumns.IsExemplarTable(name))
        {
            return $"series {series.Describe()}: metric names ending in '{ExemplarColumns.TableSuffix}' are reserved for the tables of exemplars";
        }
        if (series.TimestampsMs.IsEmpty && series.Histograms.IsEmpty)
        {
            // A series may bring only exemplars (Prometheus stores them without samples too).
            if (!series.Exemplars.IsEmpty)
            {
                StageExemplars(in series, name);
            }
            return null;
        }
        var table = stager.Table(name, out var error);
        if (table is null)
        {
            return error is null ? null : $"series {series.Describe()}: {error}";
        }
        var valueSlot = stager.Column(table, PrometheusNames.ValueField, ColumnKind.Float, out error);
        if (valueSlot < 0)
        {
            return error is null ? null : $"series {series.Describe()}: {error}";
        }
        if (_slots.Length < labels.Count)
        {
            _slots = new int[labels.Count * 2];
        }
        _tagValues.Clear();
        var tagCount = 0;
        // Indexed, not foreach: the labels are an IReadOnlyList, whose enumerator is an allocation per series.
        for (var l = 0; l < labels.Count; l++)
        {
            var (labelName, value) = labels[l];
            if (labelName == "__name__" || value.Length == 0)
            {
                continue;
            }
            var slot = stager.Column(table, PrometheusNames.TagOfLabel(labelName), ColumnKind.Tag, out error);
            if (slot < 0)
            {
                return error is null ? null : $"series {series.Describe()}: {error}";
            }
            _slots[tagCount++] = slot;
            _tagValues.Add(value);
        }
        var histogramSlots = _histogramSlots;
        if (!series.Histograms.IsEmpty)
        {
            for (var c = 0; c < histogramSlots.Length; c++)
            {
                var (columnName, kind) = HistogramColumns.Columns[c];
                histogramSlots[c] = stager.Column(table, columnName, kind, out error);
                if (histogramSlots[c] < 0)
                {
                    return error is null ? null : $"series {series.Describe()}: {error}";
                }
            }
        }
        if (stager.NeedsSchemaChange)
        {
            return null;
        }
        if (ToNanoseconds(series, series.HistogramTimestampsMs.Span) is { } badTime)
        {
            return badTime;
        }
        var timesMs = series.TimestampsMs.Span;
        var count = timesMs.Length;
        if (_times.Length < count)
        {
            _times = new long[Math.Max(count, _times.Length * 2)];
        }
        for (var i = 0; i < count; i++)
        {
            var ms = timesMs[i];
            if (ms is > long.MaxValue / NanosPerMilli or < long.MinValue / NanosPerMilli)
            {
                return $"series {series.Describe()}: timestamp {ms} ms is out of range (nanoseconds must fit in 64 bits)";
            }
            _times[i] = ms * NanosPerMilli;
        }
        var values = series.Values.Span;
        if (table.RetentionCutoff != long.MinValue)
        {
            // Out of bounds: samples older than the retention are dropped, the series' other samples stay.
            if (_values.Length < count)
            {
                _values = new double[Math.Max(count, _values.Length * 2)];
            }
            var kept = 0;
            long oldest = long.MaxValue;
            for (var i = 0; i < count; i++)
            {
                if (_times[i] < table.RetentionCutoff)
                {
                    oldest = Math.Min(oldest, _times[i]);
                    continue;
                }
                _times[kept] = _times[i];
                _values[kept++] = values[i];
            }
            if (kept < count)
            {
                SamplesOutOfBounds += count - kept;
                OutOfBounds.Add($"series {series.Describe()}: out of bounds: {count - kept} of its {count} samples dropped, {table.Expired(oldest)}");
                count = kept;
                values = _values.AsSpan(0, kept);
            }
        }

        // Everything checked: append, one run per UTC day.
        var slots = _slots.AsSpan(0, tagCount);
        var start = 0;
        while (start < count)
        {
            var day = PartitionDay.FromNanoseconds(_times[start]);
            var end = start + 1;
            while (end < count && PartitionDay.FromNanoseconds(_times[end]) == day)
            {
                end++;
            }
            var partition = table.Partition(day);
            var run = end - start;
            for (var t = 0; t < slots.Length; t++)
            {
                partition.Column(slots[t]).AppendTag(_tagValues[t], run);
            }
            partition.Column(StagedTable.TimeSlot).AppendLongs(_times.AsSpan(start, run));
            partition.Column(valueSlot).AppendFloats(values.Slice(start, run));
            partition.EndRows(run);
            start = end;
        }
        SamplesStaged += count;
        if (!series.Histograms.IsEmpty)
        {
            StageHistograms(in series, table, valueSlot, _slots.AsSpan(0, tagCount));
        }
        if (!series.Exemplars.IsEmpty)
        {
            StageExemplars(in series, name);
        }
        return null;
    }

    /// <summary>
    /// The series' exemplars as rows of its metric's exemplar table: the series' tags, the exemplar's time and value,
    /// its labels as one JSON text. Each exemplar is checked alone (Prometheus' label length limit, time, retention)
    /// and a refused one is reported in <see cref="ExemplarErrors"/>; the series' samples are staged whatever happens here.
    /// Two exemplars of a series at one millisecond are one row (the later wins), as rows with the same tags and time merge.
    /// </summary>
    private void StageExemplars(in PromSeries series, string metric)
    {
        var exemplars = series.Exemplars.Span;
        var table = stager.Table(ExemplarColumns.TableOf(metric), out var error);
        var valueSlot = table is null ? -1 : stager.Column(table, PrometheusNames.ValueField, ColumnKind.Float, out error);
        var labelsSlot = valueSlot < 0 ? -1 : stager.Column(table!, ExemplarColumns.Labels, ColumnKind.String, out error);
        var labels = series.Labels;
        if (_exemplarSlots.Length < labels.Count)
        {
            _exemplarSlots = new int[labels.Count * 2];
        }
        _exemplarTagValues.Clear();
        var tagCount = 0;
        for (var l = 0; l < labels.Count && labelsSlot >= 0; l++)
        {
            var (labelName, value) = labels[l];
            if (labelName == "__name__" || value.Length == 0)
            {
                continue;
            }
            var slot = stager.Column(table!, PrometheusNames.TagOfLabel(labelName), ColumnKind.Tag, out error);
            if (slot < 0)
            {
                labelsSlot = -1;
                break;
            }
            _exemplarSlots[tagCount++] = slot;
            _exemplarTagValues.Add(value);
        }
        if (stager.NeedsSchemaChange)
        {
            return;
        }
        if (labelsSlot < 0)
        {
            ExemplarsRefused += exemplars.Length;
            ExemplarErrors.Add($"series {series.Describe()}: its {exemplars.Length} exemplars were not stored: {error}");
            return;
        }
        foreach (var exemplar in exemplars)
        {
            var problem = exemplar.Error ?? ExemplarColumns.Validate(exemplar.Labels);
            var ms = exemplar.TimestampMs;
            if (problem is null && ms is > long.MaxValue / NanosPerMilli or < long.MinValue / NanosPerMilli)
            {
                problem = $"timestamp {ms} ms is out of range (nanoseconds must fit in 64 bits)";
            }
            var t = ms * NanosPerMilli;
            if (problem is null && t < table!.RetentionCutoff)
            {
                problem = $"out of bounds: {table.Expired(t)}";
            }
            if (problem is not null)
            {
                ExemplarsRefused++;
                ExemplarErrors.Add($"series {series.Describe()}: exemplar {ExemplarColumns.Describe(exemplar.Labels)} at {ms} ms: {problem}");
                continue;
            }
            var partition = table!.Partition(PartitionDay.FromNanoseconds(t));
            for (var s = 0; s < tagCount; s++)
            {
                partition.Column(_exemplarSlots[s]).AppendTag(_exemplarTagValues[s], 1);
            }
            partition.Column(StagedTable.TimeSlot).AppendLong(t);
            partition.Column(valueSlot).AppendFloat(exemplar.Value);
            partition.Column(labelsSlot).AppendString(ExemplarColumns.Format(exemplar.Labels));
            partition.EndRow();
            ExemplarsStaged++;
        }
    }

    private static string? ToNanoseconds(in PromSeries series, ReadOnlySpan<long> timesMs)
    {
        foreach (var ms in timesMs)
        {
            if (ms is > long.MaxValue / NanosPerMilli or < long.MinValue / NanosPerMilli)
            {
                return $"series {series.Describe()}: timestamp {ms} ms is out of range (nanoseconds must fit in 64 bits)";
            }
        }
        return null;
    }

    /// <summary>
    /// One row per histogram sample, after the series' float samples (a histogram at the time of a float sample of the
    /// same request wins, being the later row). Every histogram field is written, so that a later histogram replaces
    /// an earlier one at the same time completely when rows merge.
    /// </summary>
    private void StageHistograms(in PromSeries series, StagedTable table, int valueSlot, ReadOnlySpan<int> tagSlots)
    {
        var timesMs = series.HistogramTimestampsMs.Span;
        var histograms = series.Histograms.Span;
        var slots = _histogramSlots;
        var dropped = 0;
        long oldest = long.MaxValue;
        for (var i = 0; i < histograms.Length; i++)
        {
            var t = timesMs[i] * NanosPerMilli;
            if (t < table.RetentionCutoff)
            {
                dropped++;
                oldest = Math.Min(oldest, t);
                continue;
            }
            var h = histograms[i];
            var partition = table.Partition(PartitionDay.FromNanoseconds(t));
            for (var s = 0; s < tagSlots.Length; s++)
            {
                partition.Column(tagSlots[s]).AppendTag(_tagValues[s], 1);
            }
            partition.Column(StagedTable.TimeSlot).AppendLong(t);
            if (BitConverter.DoubleToInt64Bits(h.Sum) == HistogramColumns.StaleBits)
            {
                // A stale histogram is the float staleness marker: it ends the series whatever its samples were.
                partition.Column(valueSlot).AppendFloat(h.Sum);
                partition.EndRow();
                continue;
            }
            partition.Column(valueSlot).AppendFloat(HistogramColumns.Marker);
            partition.Column(slots[0]).AppendFloat(h.Count);
            partition.Column(slots[1]).AppendFloat(h.Sum);
            partition.Column(slots[2]).AppendLong(h.Schema);
            partition.Column(slots[3]).AppendFloat(h.ZeroThreshold);
            partition.Column(slots[4]).AppendFloat(h.ZeroCount);
            partition.Column(slots[5]).AppendLong((long)h.CounterResetHint);
            // The bucket texts are formatted into one reused buffer (the hot part of storing a histogram).
            _text.Clear();
            HistogramColumns.WriteBuckets(h.PositiveBucketIndexes, h.PositiveBucketCounts, _text);
            partition.Column(slots[6]).AppendString(_text.WrittenSpan);
            _text.Clear();
            HistogramColumns.WriteBuckets(h.NegativeBucketIndexes, h.NegativeBucketCounts, _text);
            partition.Column(slots[7]).AppendString(_text.WrittenSpan);
            _text.Clear();
            HistogramColumns.WriteBounds(h.CustomValues, _text);
            partition.Column(slots[8]).AppendString(_text.WrittenSpan);
            partition.EndRow();
        }
        if (dropped > 0)
        {
            SamplesOutOfBounds += dropped;
            OutOfBounds.Add($"series {series.Describe()}: out of bounds: {dropped} of its {histograms.Length} histogram samples dropped, {table.Expired(oldest)}");
        }
        HistogramsStaged += histograms.Length - dropped;
    }
}
