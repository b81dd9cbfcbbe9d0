using Tsdb.Arrow.Arrays;

namespace Tsdb.Parquet.Writing;

/// <summary>The arrays of one column across the batches of a row group, addressed by row number in the group.</summary>
internal sealed class ColumnSegments
{
    private readonly IReadOnlyList<ArrayData> _segments;
    private readonly long[] _starts;

    public ColumnSegments(IReadOnlyList<ArrayData> segments)
    {
        _segments = segments;
        _starts = new long[segments.Count + 1];
        for (var i = 0; i < segments.Count; i++)
        {
            _starts[i + 1] = _starts[i] + segments[i].Length;
        }
    }

    public long RowCount => _starts[^1];

    public IReadOnlyList<ArrayData> Segments => _segments;

    /// <summary>Calls <paramref name="visit"/> for each piece of rows [start, start + count): segment, first index in it, count, offset in the range.</summary>
    public void ForEach(long start, int count, Action<ArrayData, int, int, int> visit)
    {
        var end = start + count;
        var segment = Array.BinarySearch(_starts, start);
        if (segment < 0)
        {
            segment = ~segment - 1;
        }
        while (segment < _segments.Count && _starts[segment] < end)
        {
            var from = Math.Max(start, _starts[segment]);
            var to = Math.Min(end, _starts[segment + 1]);
            if (to > from)
            {
                visit(_segments[segment], (int)(from - _starts[segment]), (int)(to - from), (int)(from - start));
            }
            segment++;
        }
    }
}
