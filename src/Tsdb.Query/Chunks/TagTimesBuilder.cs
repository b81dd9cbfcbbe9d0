using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Chunks;

/// <summary>
/// Works out a <see cref="TagTimes"/> from a chunk's rows, batch by batch (a file's writer, a buffered record). Past
/// <c>maxValues</c> distinct values it gives up and forgets what it had: a statistic that large would cost more to
/// store and read than the rows it spares a reader.
/// </summary>
public sealed class TagTimesBuilder(int maxValues)
{
    private Dictionary<string, KeyTimes>? _values = new(StringComparer.Ordinal);
    private KeyTimes? _missing;

    /// <summary>Whether there were more than <c>maxValues</c> values (no statistic).</summary>
    public bool GaveUp => _values is null;

    /// <summary>Adds rows: the tag column (dictionary or utf8) and their times (no nulls), row for row.</summary>
    public void Add(ArrowArray column, ReadOnlySpan<long> times)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (_values is null)
        {
            return;
        }
        if (column.Length != times.Length)
        {
            throw new ArgumentException($"{column.Length} tag values for {times.Length} times", nameof(times));
        }
        if (column is DictionaryArray dictionary)
        {
            AddDictionary(dictionary, times);
            return;
        }
        for (var i = 0; i < times.Length; i++)
        {
            var t = new KeyTimes(times[i], times[i]);
            if (column.GetObject(i) is string value)
            {
                Include(value, t);
            }
            else
            {
                _missing = _missing is { } m ? m.Including(t) : t;
            }
        }
    }

    /// <summary>Per dictionary index first (no string per row), then per index the rows used.</summary>
    private void AddDictionary(DictionaryArray column, ReadOnlySpan<long> times)
    {
        var size = column.Dictionary.Length;
        var oldest = new long[size];
        var newest = new long[size];
        var seen = new bool[size];
        var hasNulls = column.NullCount > 0;
        var useInt32 = column.Type.IndexType!.Id == ArrowTypeId.Int32;
        var int32 = useInt32 ? column.Int32Indices : default;
        for (var i = 0; i < times.Length; i++)
        {
            var t = times[i];
            if (hasNulls && column.IsNull(i))
            {
                var row = new KeyTimes(t, t);
                _missing = _missing is { } m ? m.Including(row) : row;
                continue;
            }
            var d = useInt32 ? int32[i] : (int)column.GetIndex(i);
            if (!seen[d])
            {
                seen[d] = true;
                oldest[d] = t;
                newest[d] = t;
            }
            else if (t < oldest[d])
            {
                oldest[d] = t;
            }
            else if (t > newest[d])
            {
                newest[d] = t;
            }
        }
        for (var d = 0; d < size && _values is not null; d++)
        {
            if (seen[d] && column.Dictionary.GetObject(d) is string value)
            {
                Include(value, new KeyTimes(oldest[d], newest[d]));
            }
        }
    }

    private void Include(string value, KeyTimes times)
    {
        if (_values!.TryGetValue(value, out var known))
        {
            _values[value] = known.Including(times);
        }
        else if (_values.Count < maxValues)
        {
            _values[value] = times;
        }
        else
        {
            _values = null;   // one value too many: no statistic for this column
        }
    }

    /// <summary>The statistic of every row added; null when it gave up.</summary>
    public TagTimes? Build() => _values is null ? null : new TagTimes(new Dictionary<string, KeyTimes>(_values, StringComparer.Ordinal), _missing);
}
