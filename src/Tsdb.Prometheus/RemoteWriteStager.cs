using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;
using Tsdb.Wal;

namespace Tsdb.Prometheus;

/// <summary>
/// Checks each remote-written series against the catalog and appends its samples to per-table, per-day Arrow
/// builders. A series is checked completely before any of its samples is appended. Like the line-protocol stager it
/// runs against a catalog snapshot (a series that needs a new table or column stops the pass with
/// <see cref="NeedsSchemaChange"/>) or inside a catalog update, where it creates them.
/// </summary>
internal sealed class RemoteWriteStager(string database, DatabaseDefinition? snapshotDatabase, CatalogEditor? editor, DateTimeOffset now) : IDisposable
{
    private const long NanosPerMilli = 1_000_000;

    private readonly Dictionary<string, PromTableStage> _tables = new(StringComparer.Ordinal);
    private readonly List<PromTableStage> _order = [];
    private readonly List<string> _tagValues = [];
    private int[] _slots = new int[16];
    private long[] _times = new long[256];
    private double[] _values = new double[256];

    public bool NeedsSchemaChange { get; private set; }

    public bool LimitExceeded { get; private set; }

    public long SamplesStaged { get; private set; }

    /// <summary>Samples dropped because they are older than their table's retention (Prometheus' "out of bounds").</summary>
    public long SamplesOutOfBounds { get; private set; }

    /// <summary>One message per series that lost samples to retention; its other samples were stored.</summary>
    public List<string> OutOfBounds { get; } = [];

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
        if (series.TimestampsMs.IsEmpty)
        {
            return null;
        }
        var table = ResolveTable(name, out var error);
        if (table is null)
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
            var slot = ResolveTag(table, PrometheusNames.TagOfLabel(labelName), out error);
            if (slot < 0)
            {
                return error is null ? null : $"series {series.Describe()}: {error}";
            }
            _slots[tagCount++] = slot;
            _tagValues.Add(value);
        }
        if (NeedsSchemaChange)
        {
            return null;
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
                OutOfBounds.Add($"series {series.Describe()}: out of bounds: {count - kept} of its {count} samples dropped, {RetentionText.Expired(oldest, table.RetentionPeriod!.Value, table.RetentionOwner!, table.RetentionCutoff)}");
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
            table.Partition(day).Append(slots, _tagValues, _times.AsSpan(start, end - start), values.Slice(start, end - start));
            start = end;
        }
        SamplesStaged += count;
        return null;
    }

    public List<WalTableWrite> Build()
    {
        var writes = new List<WalTableWrite>();
        foreach (var table in _order)
        {
            table.AddWrites(writes);
        }
        return writes;
    }

    public void Dispose()
    {
        foreach (var table in _order)
        {
            table.Dispose();
        }
    }

    private PromTableStage? ResolveTable(string name, out string? error)
    {
        error = null;
        if (_tables.TryGetValue(name, out var stage))
        {
            return stage;
        }
        if (editor is not null)
        {
            if (editor.EnsureTable(database, name, out _) is { } tableError)
            {
                LimitExceeded |= tableError.Kind == CatalogErrorKind.LimitExceeded;
                error = tableError.Message;
                return null;
            }
            if (editor.EnsureColumn(database, name, PrometheusNames.ValueField, ColumnKind.Float) is { } columnError)
            {
                LimitExceeded |= columnError.Kind == CatalogErrorKind.LimitExceeded;
                error = columnError.Message;
                return null;
            }
        }
        else
        {
            var definition = snapshotDatabase?.FindTable(name);
            var value = definition?.FindColumn(PrometheusNames.ValueField);
            if (value is null)
            {
                NeedsSchemaChange = true;
                return null;
            }
            if (value.Kind != ColumnKind.Float)
            {
                error = CatalogError.TypeConflict(name, PrometheusNames.ValueField, value.Kind, ColumnKind.Float).Message;
                return null;
            }
        }
        stage = new PromTableStage(name);
        // The table's retention as the catalog has it now (a table created by this request has the database's).
        var db = editor?.FindDatabase(database) ?? snapshotDatabase;
        if (db?.RetentionOf(name) is { } period)
        {
            stage.RetentionPeriod = period;
            stage.RetentionCutoff = db.RetentionCutoff(name, now);
            stage.RetentionOwner = db.FindTable(name)?.RetentionPeriod is not null ? $"table '{name}'" : $"database '{database}'";
        }
        _tables[name] = stage;
        _order.Add(stage);
        return stage;
    }

    private int ResolveTag(PromTableStage table, string tag, out string? error)
    {
        error = null;
        if (table.TryGetSlot(tag, out var slot))
        {
            return slot;
        }
        if (editor is not null)
        {
            if (editor.EnsureColumn(database, table.Name, tag, ColumnKind.Tag) is { } columnError)
            {
                LimitExceeded |= columnError.Kind == CatalogErrorKind.LimitExceeded;
                error = columnError.Message;
                return -1;
            }
        }
        else
        {
            var known = snapshotDatabase!.FindTable(table.Name)!.FindColumn(tag)?.Kind;
            if (known is null)
            {
                NeedsSchemaChange = true;
                return -1;
            }
            if (known != ColumnKind.Tag)
            {
                error = CatalogError.TypeConflict(table.Name, tag, known.Value, ColumnKind.Tag).Message;
                return -1;
            }
        }
        return table.AddSlot(tag);
    }
}
