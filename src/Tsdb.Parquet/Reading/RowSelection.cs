namespace Tsdb.Parquet.Reading;

/// <summary>Sorted, non-overlapping row ranges [Start, End) of one row group that a read returns.</summary>
internal sealed class RowSelection
{
    public RowSelection(List<(long Start, long End)> ranges) => Ranges = ranges;

    public List<(long Start, long End)> Ranges { get; }

    public static RowSelection All(long rows) => new([(0, rows)]);

    public long RowCount => Ranges.Sum(r => r.End - r.Start);

    public bool IsEmpty => Ranges.Count == 0;

    public bool Overlaps(long start, long end) => Ranges.Any(r => r.Start < end && start < r.End);

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
