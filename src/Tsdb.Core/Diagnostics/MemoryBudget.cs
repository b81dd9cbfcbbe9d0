namespace Tsdb.Core.Diagnostics;

/// <summary>
/// The memory the process may use, and the default shares of it for the write buffer and for one query, so that a
/// server in a container (cgroup limit) or under <c>DOTNET_GCHeapHardLimit</c> sheds load with 503/413 before the
/// runtime throws OutOfMemoryException.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Share of <see cref="AvailableBytes"/> the write buffer may hold by default (rows not yet persisted).</summary>
    public const double BufferShare = 0.25;

    /// <summary>Share one query may materialise by default (its Arrow buffers).</summary>
    public const double QueryShare = 0.125;

    /// <summary>
    /// What the GC may use: the heap hard limit when one is set, else the container's (cgroup) memory limit, else the
    /// machine's physical memory (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).
    /// </summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public static long DefaultBufferLimit(long available) => Math.Max(16L << 20, (long)(available * BufferShare));

    public static long DefaultQueryLimit(long available) => Math.Max(16L << 20, (long)(available * QueryShare));

    /// <summary>
    /// What a compaction may hold for the files it writes by default: an eighth of what the process may use, 32 to 512
    /// MiB (512 MiB was the fixed default; under it the row groups shrink, see <c>StorageOptions.CompactionMemoryBudget</c>).
    /// </summary>
    public static long DefaultCompactionBudget(long available) => Math.Clamp(available / 8, 32L << 20, 512L << 20);

    /// <summary>
    /// What queries, persists and compactions share by default (<see cref="ProcessMemory"/>): three quarters of what the
    /// process may use, less the write buffer's limit (the last quarter is for the runtime, requests being parsed and
    /// the garbage not yet collected), at least 32 MiB. 512 MiB with a 128 MiB buffer: 256 MiB.
    /// </summary>
    public static long DefaultProcessLimit(long available, long bufferLimit) => Math.Max(32L << 20, (available / 4 * 3) - bufferLimit);

    /// <summary>
    /// What queries may always count on of a <paramref name="processLimit"/> budget by default (persists and
    /// compactions never take it): a quarter, and at least what one query of <paramref name="queryLimit"/> needs to
    /// start (its baseline and its scan's first decode, see <c>QueryEngineOptions.BaseReservationBytes</c> and
    /// <c>ScanMemory</c>), at most half. 256 MiB with 64 MiB queries: 64 MiB.
    /// </summary>
    public static long DefaultQueryReserve(long processLimit, long queryLimit)
    {
        var start = Math.Min(queryLimit / 4, 16L << 20) + (2 * Math.Clamp(queryLimit / 16, 1L << 20, 64L << 20));
        return Math.Min(processLimit / 2, Math.Max(processLimit / 4, start));
    }

    /// <summary>What persists and compactions may always count on by default (queries never take it): a quarter of the budget.</summary>
    public static long DefaultBackgroundReserve(long processLimit) => processLimit / 4;

    /// <summary>
    /// How long a query short of memory waits in line by default before it gets 503: long enough for a persist slice
    /// or another query to finish on a small machine, short of the 30 s a client commonly waits.
    /// </summary>
    public static readonly TimeSpan DefaultQueryWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The managed heap (garbage included) past which <see cref="ProcessMemory"/> grants nothing: seven eighths of what
    /// the process may use, so the collector has room to work before the hard limit.
    /// </summary>
    public static long HeapCeiling(long available) => available - (available / 8);

    /// <summary>Persist once the buffer holds half its limit (at most 256 MiB), so that it drains before writes are refused.</summary>
    public static long DefaultPersistBufferSize(long bufferLimit) => Math.Min(256L << 20, bufferLimit / 2);
}
