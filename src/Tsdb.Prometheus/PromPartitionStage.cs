using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Core.Schema;

namespace Tsdb.Prometheus;

/// <summary>The rows of one table and one day: time, one dictionary column per tag (null where a series lacks it), value.</summary>
internal sealed class PromPartitionStage(int day) : IDisposable
{
    private readonly PrimitiveArrayBuilder<long> _times = new(ArrowType.TimestampNanosecond);
    private readonly PrimitiveArrayBuilder<double> _values = new(ArrowType.Float64);
    private readonly List<DictionaryArrayBuilder?> _tags = [];

    // Per tag slot, the dictionary index each value string already has. Label strings come interned from the
    // request reader, so one value is mostly one string object: a reference lookup (and before it a check against the
    // slot's previous value, which consecutive series often repeat) replaces encoding and hashing the value per series.
    private readonly List<(string? Last, int LastIndex, Dictionary<string, int> Indices)> _known = [];

    public int Day { get; } = day;

    public int RowCount { get; private set; }

    /// <summary>Appends <paramref name="values"/> with one series' tags (slots and UTF-8 values) on every row.</summary>
    public void Append(ReadOnlySpan<int> slots, IReadOnlyList<string> tagValues, ReadOnlySpan<long> timesNs, ReadOnlySpan<double> values)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            while (_tags.Count <= slot)
            {
                _tags.Add(null);
            }
            var builder = _tags[slot] ??= new DictionaryArrayBuilder();
            PadTo(builder, RowCount);
            while (_known.Count <= slot)
            {
                _known.Add((null, 0, new Dictionary<string, int>(ReferenceEqualityComparer.Instance)));
            }
            var value = tagValues[i];
            var (last, lastIndex, indices) = _known[slot];
            if (ReferenceEquals(value, last))
            {
                builder.AppendIndexRepeated(lastIndex, timesNs.Length);
                continue;
            }
            if (indices.TryGetValue(value, out var index))
            {
                builder.AppendIndexRepeated(index, timesNs.Length);
            }
            else
            {
                index = builder.AppendRepeated(value, timesNs.Length);
                indices[value] = index;
            }
            _known[slot] = (value, index, indices);
        }
        _times.AppendRange(timesNs);
        _values.AppendRange(values);
        RowCount += timesNs.Length;
    }

    public RecordBatch Build(IReadOnlyList<string> tagNames)
    {
        var fields = new List<Field> { Field(TableDefinition.TimeColumn, ColumnKind.Time) };
        var arrays = new List<ArrowArray> { _times.Build() };
        for (var slot = 0; slot < _tags.Count; slot++)
        {
            if (_tags[slot] is { } builder)
            {
                PadTo(builder, RowCount);
                fields.Add(Field(tagNames[slot], ColumnKind.Tag));
                arrays.Add(builder.Build());
            }
        }
        fields.Add(Field(PrometheusNames.ValueField, ColumnKind.Float));
        arrays.Add(_values.Build());
        return new RecordBatch(new Schema(fields), arrays, RowCount);
    }

    public void Dispose()
    {
        _times.Dispose();
        _values.Dispose();
        foreach (var builder in _tags)
        {
            builder?.Dispose();
        }
    }

    private static void PadTo(DictionaryArrayBuilder builder, int rows)
    {
        while (builder.Length < rows)
        {
            builder.AppendNull();
        }
    }

    private static Field Field(string name, ColumnKind kind) =>
        new(name, kind switch
        {
            ColumnKind.Time => ArrowType.TimestampNanosecond,
            ColumnKind.Tag => ArrowType.DictionaryUtf8,
            _ => ArrowType.Float64,
        }, kind != ColumnKind.Time, [new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(kind))]);
}
