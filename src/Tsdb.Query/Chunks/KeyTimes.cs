namespace Tsdb.Query.Chunks;

/// <summary>The oldest and newest time (ns) of a chunk's rows with one tag value.</summary>
public readonly record struct KeyTimes(long Oldest, long Newest)
{
    public KeyTimes Including(KeyTimes other) => new(Math.Min(Oldest, other.Oldest), Math.Max(Newest, other.Newest));
}
