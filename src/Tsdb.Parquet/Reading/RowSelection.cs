using System.Runtime.InteropServices;

namespace Tsdb.Parquet.Reading;

/// <summary>Sorted, non-overlapping row ranges [Start, End) of one row group that a read returns.</summary>
internal sealed class RowSelection
{
    public RowSelection(List<(long Start, long End)> ranges) => Ranges = ranges;

    public List<(long Start, long End)> Ranges { get; }

    public static RowSelection All(long rows) => new([(0, rows)]);

    public long RowCount => Ranges.Sum(r => r.End - r.Start);

    public bool IsEmpty => Ranges.Count == 0;

    public bool Overlaps(long start, long end) => Bounds(start, end, out var first, out var last) && first < last;

    /// <summary>
    /// Whether any row of [<paramref name="start"/>, <paramref name="end"/>) is selected, and if so the first of them
    /// and one past the last (rows between them may be unselected).
    /// </summary>
    public bool Bounds(long start, long end, out long first, out long last)
    {
        var ranges = CollectionsMarshal.AsSpan(Ranges);
        var i = FirstEndingAfter(ranges, start);
        if (i == ranges.Length || ranges[i].Start >= end)
        {
            first = last = 0;
            return false;
        }
        first = Math.Max(ranges[i].Start, start);
        // The last range that starts before end.
        int lo = i, hi = ranges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].Start < end)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        last = Math.Min(ranges[lo - 1].End, end);
        return true;
    }

    /// <summary>Whether every row of [<paramref name="start"/>, <paramref name="end"/>) is selected.</summary>
    public bool Covers(long start, long end)
    {
        var ranges = CollectionsMarshal.AsSpan(Ranges);
        var i = FirstEndingAfter(ranges, start);
        return i < ranges.Length && ranges[i].Start <= start && end <= ranges[i].End;
    }

    /// <summary>The index of the first range ending after <paramref name="row"/> (ranges are sorted and disjoint).</summary>
    private static int FirstEndingAfter(ReadOnlySpan<(long Start, long End)> ranges, long row)
    {
        int lo = 0, hi = ranges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].End <= row)
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

    public RowSelection Intersect(RowSelection other)
    {
        var result = new List<(long, long)>();
        int i = 0, j = 0;
        while (i < Ranges.Count && j < other.Ranges.Count)
        {
            var start = Math.Max(Ranges[i].Start, other.Ranges[j].Start);
            var end = Math.Min(Ranges[i].End, other.Ranges[j].End);
            if (start < end)
            {
                result.Add((start, end));
            }
            if (Ranges[i].End < other.Ranges[j].End)
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return new RowSelection(result);
    }

    /// <summary>Merges adjacent ranges (pages selected one by one).</summary>
    public static RowSelection FromRanges(IEnumerable<(long Start, long End)> ranges)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var range in ranges.OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && merged[^1].End >= range.Start)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, range.End));
            }
            else
            {
                merged.Add(range);
            }
        }
        return new RowSelection(merged);
    }
}
