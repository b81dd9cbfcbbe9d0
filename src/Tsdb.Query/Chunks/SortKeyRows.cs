using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Chunks;

/// <summary>
/// The sort key of a batch's rows (a table's tags in table order, then time), readable row by row and comparable
/// across batches: a missing or null tag sorts first, tag values compare ordinally, as <see cref="RowMerger"/> orders.
/// </summary>
internal sealed class SortKeyRows
{
    private readonly ArrowArray?[] _tags;
    private readonly string?[]?[] _dictionaries;
    private readonly TimestampArray _times;
    private readonly RecordBatch _whole;
    private readonly int _start;

    public SortKeyRows(RecordBatch batch, TableColumns table)
    {
        _whole = batch;
        Batch = batch;
        Length = batch.Length;
        var tagColumns = table.SortKey.Where(i => i != table.TimeIndex).ToArray();
        _tags = new ArrowArray?[tagColumns.Length];
        _dictionaries = new string?[]?[tagColumns.Length];
        for (var t = 0; t < tagColumns.Length; t++)
        {
            var array = batch.Column(table.Columns[tagColumns[t]].Name);
            _tags[t] = array;
            if (array is DictionaryArray d)
            {
                var decoded = new string?[d.Dictionary.Length];
                for (var i = 0; i < decoded.Length; i++)
                {
                    decoded[i] = (string?)d.Dictionary.GetObject(i);
                }
                _dictionaries[t] = decoded;
            }
        }
        _times = batch.Column(table.Columns[table.TimeIndex].Name) as TimestampArray
            ?? throw new InvalidDataException($"a batch of the table has no timestamp column '{table.Columns[table.TimeIndex].Name}'");
    }

    /// <summary>A view of rows [start, end) of <paramref name="whole"/>, sharing its decoded dictionaries.</summary>
    private SortKeyRows(SortKeyRows whole, int start)
    {
        _tags = whole._tags;
        _dictionaries = whole._dictionaries;
        _times = whole._times;
        _whole = whole._whole;
        _start = whole._start + start;
        Length = _whole.Length - _start;
        Batch = _whole.Slice(_start, Length);
    }

    /// <summary>These rows (a zero-copy slice of the batch read when this is a view).</summary>
    public RecordBatch Batch { get; }

    public int Length { get; }

    /// <summary>The rows from <paramref name="start"/> on.</summary>
    public SortKeyRows From(int start) => new(this, start);

    /// <summary>The first <paramref name="count"/> rows as a batch.</summary>
    public RecordBatch Take(int count) => count == Length ? Batch : _whole.Slice(_start, count);

    public long Time(int row) => _times.GetValue(_start + row);

    private string? Tag(int tag, int viewRow)
    {
        var row = _start + viewRow;
        var array = _tags[tag];
        if (array is null || array.IsNull(row))
        {
            return null;
        }
        return _dictionaries[tag] is { } decoded ? decoded[((DictionaryArray)array).GetIndex(row)] : ((StringArray)array).GetString(row);
    }

    /// <summary>Orders this batch's row against another batch's row of the same table.</summary>
    public int Compare(int row, SortKeyRows other, int otherRow)
    {
        for (var t = 0; t < _tags.Length; t++)
        {
            var a = Tag(t, row);
            var b = other.Tag(t, otherRow);
            if (!ReferenceEquals(a, b))
            {
                if (a is null)
                {
                    return -1;
                }
                if (b is null)
                {
                    return 1;
                }
                var c = string.CompareOrdinal(a, b);
                if (c != 0)
                {
                    return c;
                }
            }
        }
        return Time(row).CompareTo(other.Time(otherRow));
    }

    /// <summary>How many leading rows sort at or before <paramref name="bound"/>'s row (rows are in key order).</summary>
    public int CountAtOrBefore(SortKeyRows bound, int boundRow)
    {
        int lo = 0, hi = Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Compare(mid, bound, boundRow) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
