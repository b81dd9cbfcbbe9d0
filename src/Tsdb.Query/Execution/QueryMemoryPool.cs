using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Query.Execution;

/// <summary>
/// The bytes one query may hold (<c>--query-memory-limit</c>). Every operator that keeps rows past the batch it is
/// working on (sort, hash build, aggregate state, materialised subqueries) holds a <see cref="MemoryReservation"/>
/// and grows it before it keeps more; an operator that can spill asks with <see cref="MemoryReservation.TryGrow"/> and
/// spills when refused, one that cannot calls <see cref="MemoryReservation.Grow"/>, which fails the query with a
/// message naming the operator.
/// </summary>
public sealed class QueryMemoryPool(long limit, ProcessMemory? process = null)
{
    private readonly Lock _processLock = new();
    private long _used;
    private long _peak;
    private long _processHeld;
    private bool _closed;

    public long Limit { get; } = limit;

    public long Used => Interlocked.Read(ref _used);

    /// <summary>The most this query held at once.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>The process-wide budget every reservation of this query is also taken from (null: only this query's limit).</summary>
    public ProcessMemory? Process { get; } = process;

    public MemoryReservation Reserve(string consumer) => new(this, consumer);

    internal bool TryAdd(long bytes) => TryAdd(bytes, out _);

    /// <summary>
    /// Adds (or with a negative count gives back) bytes; refused when this query's limit or, with
    /// <paramref name="byProcess"/> set, the process's budget has no room.
    /// </summary>
    internal bool TryAdd(long bytes, out bool byProcess)
    {
        byProcess = false;
        if (bytes <= 0)
        {
            Interlocked.Add(ref _used, bytes);
            GiveBackToProcess(-bytes);
            return true;
        }
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            var next = used + bytes;
            if (next > Limit)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _used, next, used) == used)
            {
                break;
            }
        }
        if (!TakeFromProcess(bytes))
        {
            Interlocked.Add(ref _used, -bytes);
            byProcess = true;
            return false;
        }
        NotePeak();
        return true;
    }

    private void NotePeak()
    {
        var now = Interlocked.Read(ref _used);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
    }

    private bool TakeFromProcess(long bytes)
    {
        if (Process is null)
        {
            return true;
        }
        lock (_processLock)
        {
            if (_closed || !Process.TryReserve(bytes))
            {
                return false;
            }
            _processHeld += bytes;
            return true;
        }
    }

    /// <summary>
    /// Adds <paramref name="bytes"/> as <see cref="TryAdd(long, out bool)"/> does, but waits in the process budget's line
    /// (<see cref="ProcessMemory.ReserveForQueryAsync"/>) when it has no room now.
    /// </summary>
    internal async Task<(bool Granted, bool ByProcess)> AddWaitingAsync(long bytes, bool running, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (Process is null)
        {
            return (TryAdd(bytes), false);
        }
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > Limit)
            {
                return (false, false);
            }
            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                break;
            }
        }
        bool granted;
        try
        {
            granted = await Process.ReserveForQueryAsync(bytes, running, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Add(ref _used, -bytes);
            throw;
        }
        if (granted)
        {
            lock (_processLock)
            {
                if (!_closed)
                {
                    _processHeld += bytes;
                    NotePeak();
                    return (true, false);
                }
            }
            // The query ended while it waited.
            Process.Release(bytes);
        }
        Interlocked.Add(ref _used, -bytes);
        return (false, true);
    }

    private void GiveBackToProcess(long bytes)
    {
        if (Process is null || bytes == 0)
        {
            return;
        }
        lock (_processLock)
        {
            bytes = Math.Min(bytes, _processHeld);
            _processHeld -= bytes;
        }
        Process.Release(bytes);
    }

    /// <summary>
    /// The query ended: whatever it still holds of the process's budget goes back (an operator abandoned without
    /// disposing its reservation must not shrink the budget for good), and nothing more is granted.
    /// </summary>
    public void Close()
    {
        long held;
        lock (_processLock)
        {
            _closed = true;
            held = _processHeld;
            _processHeld = 0;
        }
        Process?.Release(held);
    }

    /// <summary>Bytes of the Arrow buffers behind a batch (a dictionary is counted with each batch that carries it).</summary>
    public static long SizeOf(RecordBatch batch)
    {
        long bytes = 0;
        foreach (var column in batch.Columns)
        {
            bytes += SizeOf(column.Data);
        }
        return bytes;
    }

    public static long SizeOf(ArrowArray array) => SizeOf(array.Data);

    private static long SizeOf(ArrayData data)
    {
        long bytes = 0;
        foreach (var b in data.Buffers)
        {
            bytes += b.Length;
        }
        return bytes + (data.Dictionary is null ? 0 : SizeOf(data.Dictionary));
    }

    internal static string Format(long bytes) => ProcessMemory.Format(bytes);
}

/// <summary>One operator's share of a <see cref="QueryMemoryPool"/>; disposing it gives the bytes back.</summary>
public sealed class MemoryReservation(QueryMemoryPool pool, string consumer) : IDisposable
{
    private long _size;

    public string Consumer { get; } = consumer;

    public long Size => Interlocked.Read(ref _size);

    public QueryMemoryPool Pool { get; } = pool;

    /// <summary>Grows by <paramref name="bytes"/> if the pool has room; false (and nothing reserved) when it has not.</summary>
    public bool TryGrow(long bytes) => TryGrowCore(bytes, out _);

    private bool TryGrowCore(long bytes, out bool byProcess)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (!Pool.TryAdd(bytes, out byProcess))
        {
            return false;
        }
        Interlocked.Add(ref _size, bytes);
        return true;
    }

    /// <summary>
    /// Grows by <paramref name="bytes"/> or fails the query naming this operator: HTTP 413 when the query's own limit
    /// is reached, 503 when the process's budget is in use by other work (retrying later may succeed).
    /// </summary>
    public void Grow(long bytes)
    {
        if (!TryGrowCore(bytes, out var byProcess))
        {
            if (byProcess)
            {
                throw ProcessMemoryExhausted(Pool.Process!, Consumer, bytes);
            }
            throw OverQueryLimit(bytes);
        }
    }

    private QueryLimitException OverQueryLimit(long bytes) =>
        new(QueryLimit.Memory, string.Create(CultureInfo.InvariantCulture,
            $"the query exceeded its memory limit of {QueryMemoryPool.Format(Pool.Limit)}: {Consumer} needed {QueryMemoryPool.Format(bytes)} more while holding {QueryMemoryPool.Format(Size)} (the query held {QueryMemoryPool.Format(Pool.Used)}); narrow the time range, filter more or aggregate"));

    /// <summary>
    /// Grows by <paramref name="bytes"/> as <see cref="Grow"/> does, but when the process's budget has no room now it
    /// waits in line for it (up to <see cref="MemoryShares.QueryWait"/>; <paramref name="running"/>: this query
    /// already holds memory and goes before new ones) before it fails the query with the 503.
    /// </summary>
    public async Task GrowAsync(long bytes, bool running, CancellationToken cancellationToken)
    {
        var (granted, byProcess) = await Pool.AddWaitingAsync(bytes, running, cancellationToken).ConfigureAwait(false);
        if (granted)
        {
            Interlocked.Add(ref _size, bytes);
            return;
        }
        if (byProcess)
        {
            throw ProcessMemoryExhausted(Pool.Process!, Consumer, bytes, waited: true);
        }
        throw OverQueryLimit(bytes);
    }

    /// <summary>
    /// The error of a query refused by the process's budget (HTTP 503 with Retry-After), after its wait in line if it
    /// had one (<paramref name="waited"/>: it asked to wait; it did unless the bytes could never fit).
    /// </summary>
    internal static QueryLimitException ProcessMemoryExhausted(ProcessMemory process, string consumer, long bytes, bool waited = false) =>
        new(QueryLimit.ProcessMemory, string.Create(CultureInfo.InvariantCulture,
            $"the server is short of memory: {consumer} needed {QueryMemoryPool.Format(bytes)}{(waited && process.Shares.QueryWait > TimeSpan.Zero && bytes <= process.Limit - process.Shares.BackgroundReserve ? $" and waited {Seconds(process.Shares.QueryWait)} for it" : "")}; {process.Describe()}{(process.BackgroundWaiting > 0 ? ", and persisting or compacting waits for memory" : "")}; retry later"));

    private static string Seconds(TimeSpan wait) => string.Create(CultureInfo.InvariantCulture, $"{wait.TotalSeconds:0.###} s");

    public void Shrink(long bytes)
    {
        bytes = Math.Min(bytes, Size);
        Interlocked.Add(ref _size, -bytes);
        Pool.TryAdd(-bytes);
    }

    /// <summary>Gives everything back (after a spill, or when the operator is done).</summary>
    public void Free() => Shrink(Size);

    public void Dispose() => Free();
}
