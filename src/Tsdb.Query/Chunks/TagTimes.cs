namespace Tsdb.Query.Chunks;

/// <summary>
/// A chunk's statistic for one tag column: per value its rows have, the oldest and newest time of those rows, and the
/// same for the rows without the tag (<see cref="Missing"/>). Every value a visible row of the chunk has is listed,
/// and no other; <see cref="KeyTimes.Newest"/> is exact, <see cref="KeyTimes.Oldest"/> is exact when
/// <see cref="OldestExact"/>. lastpoint's first pass (each value's newest time) reads it instead of every row.
/// </summary>
public sealed class TagTimes(IReadOnlyDictionary<string, KeyTimes> values, KeyTimes? missing, bool oldestExact = true)
{
    public IReadOnlyDictionary<string, KeyTimes> Values => values;

    /// <summary>The rows whose tag is null (a line without it); null when every row has the tag.</summary>
    public KeyTimes? Missing => missing;

    /// <summary>
    /// False when rows before some time are hidden (a delete of everything before a time, retention): the newest
    /// times are still exact, the oldest only bound the visible rows' from below.
    /// </summary>
    public bool OldestExact => oldestExact;

    /// <summary>How many keys (values, and the missing tag) it lists.</summary>
    public int Count => values.Count + (missing is null ? 0 : 1);

    /// <summary>
    /// The statistic of the rows newer than <paramref name="time"/> only, as a delete of every row at or before it
    /// leaves them: values whose rows are all that old go, newest times stay exact, oldest times become inexact.
    /// </summary>
    public TagTimes After(long time)
    {
        var kept = new Dictionary<string, KeyTimes>(values.Count, StringComparer.Ordinal);
        foreach (var (value, times) in values)
        {
            if (times.Newest > time)
            {
                kept[value] = times;
            }
        }
        return new TagTimes(kept, missing is { } m && m.Newest > time ? m : null, oldestExact: oldestExact && AllAfter(time));
    }

    private bool AllAfter(long time)
    {
        foreach (var times in values.Values)
        {
            if (times.Oldest <= time)
            {
                return false;
            }
        }
        return missing is not { } m || m.Oldest > time;
    }
}
