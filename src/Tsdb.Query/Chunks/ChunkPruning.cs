namespace Tsdb.Query.Chunks;

/// <summary>
/// Whether a chunk can hold a row a scan wants, from its time range and tag statistics alone. The one place tag
/// pruning is decided, for every front end (SQL, InfluxQL, PromQL) and every kind of chunk.
/// </summary>
public static class ChunkPruning
{
    public static bool MayMatch(IQueryChunk chunk, ScanRequest request)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(request);
        return Overlaps(chunk.MinTime, chunk.MaxTime, request.FromTime, request.ToTime) && MayHoldTags(chunk.TagRanges, request.TagValues);
    }

    public static bool Overlaps(long min, long max, long? from, long? to) => (from is null || max >= from) && (to is null || min <= to);

    /// <summary>
    /// Whether the tag ranges admit one of the allowed values of every filtered tag. A tag the chunk lacks (or holds
    /// only nulls of) admits none: no row of it equals a value. Unknown ranges admit everything.
    /// </summary>
    public static bool MayHoldTags(IReadOnlyDictionary<string, ChunkTagRange>? ranges, IReadOnlyDictionary<string, IReadOnlyList<string>> tagValues)
    {
        ArgumentNullException.ThrowIfNull(tagValues);
        if (ranges is null)
        {
            return true;
        }
        foreach (var (tag, values) in tagValues)
        {
            if (!ranges.TryGetValue(tag, out var range) || range.Min is null || range.Max is null)
            {
                return false;
            }
            var any = false;
            foreach (var v in values)
            {
                if (string.CompareOrdinal(v, range.Min) >= 0 && string.CompareOrdinal(v, range.Max) <= 0)
                {
                    any = true;
                    break;
                }
            }
            if (!any)
            {
                return false;
            }
        }
        return true;
    }
}
