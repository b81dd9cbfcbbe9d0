namespace Tsdb.Core.Diagnostics;

/// <summary>
/// How <see cref="ProcessMemory"/>'s budget is divided: <paramref name="QueryReserve"/> bytes only queries may take
/// (persists and compactions are held to the rest), <paramref name="BackgroundReserve"/> bytes only persists and
/// compactions may take (queries and request bodies are held to the rest), the remainder shared. A query short of
/// memory waits up to <paramref name="QueryWait"/> in line (zero: refused at once).
/// </summary>
public sealed record MemoryShares(long QueryReserve = 0, long BackgroundReserve = 0, TimeSpan QueryWait = default)
{
    /// <summary>No reserved parts, no waiting queries: one shared budget.</summary>
    public static MemoryShares None { get; } = new();
}
