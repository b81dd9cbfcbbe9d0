using System.Globalization;

namespace Tsdb.Core.Diagnostics;

/// <summary>
/// The one budget (<c>--process-memory-limit</c>) that queries, persists and compactions all reserve from, so that
/// their sum, not only each on its own, stays within what the process may use besides the write buffer. Queries ask
/// with <see cref="TryReserve"/> and never wait: refused, a query spills or fails with 503 before it allocates.
/// Background work waits its turn with <see cref="ReserveAsync"/> (persist before compaction, first come first served
/// within each); while anything waits, queries get nothing new, so running queries finish or fail and their memory
/// comes back. A persist waits at most <see cref="MaxWait"/> and then goes ahead over the limit (the buffer must
/// drain, or writes are refused for ever); a compaction that is not served in that time gives up its round
/// (<see langword="null"/>) and the next round tries again.
/// </summary>
public sealed class ProcessMemory
{
    private readonly Lock _lock = new();
    private readonly List<Waiter> _waiters = [];
    private readonly TimeProvider _time;
    private long _used;
    private long _peak;
    private long _forced;

    private readonly HeapGuard? _heap;

    /// <param name="limit">The bytes reservations may add up to.</param>
    /// <param name="maxWait">How long background work waits (see <see cref="MaxWait"/>).</param>
    /// <param name="heap">
    /// Also grant nothing that would take the managed heap (as the GC reports it now, garbage included) past a ceiling:
    /// what no reservation counts (the write buffer, caches, requests being parsed, a scan's decoded pages) is seen
    /// there. Waiting work looks again every <see cref="HeapGuard.Poll"/>, as the heap shrinks without a release.
    /// </param>
    public ProcessMemory(long limit, TimeSpan? maxWait = null, HeapGuard? heap = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
        MaxWait = maxWait ?? TimeSpan.FromSeconds(30);
        _heap = heap;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The heap in use and the most reservations may take it to (<see cref="ProcessMemory(long, TimeSpan?, HeapGuard?, TimeProvider?)"/>).</summary>
    public sealed record HeapGuard(Func<long> InUse, long Ceiling)
    {
        /// <summary>
        /// The ceiling for queries, lower than <see cref="Ceiling"/> (the default: three quarters of it): a query
        /// allocates more than its reservations count (the pages its scans decode), and background work must still
        /// find room (the buffer must drain).
        /// </summary>
        public long QueryCeiling { get; init; } = Ceiling / 4 * 3;

        public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(100);

        /// <summary>
        /// Asks for a collection when waiting work is held back by the heap alone, at most once a second: garbage
        /// counts in <see cref="InUse"/>, and a server that refuses work allocates too little to start one itself.
        /// </summary>
        public Action? Collect { get; init; }
    }

    private long _lastCollect;

    /// <summary>What the budget holds now, for a message: reserved of the limit, and the heap against its ceiling.</summary>
    public string Describe() => _heap is null
        ? $"{Format(Used)} of the {Format(Limit)} that queries, persists and compactions share is reserved"
        : $"{Format(Used)} of the {Format(Limit)} that queries, persists and compactions share is reserved and the heap holds {Format(_heap.InUse())} (queries may take it to {Format(_heap.QueryCeiling)})";

    private bool Fits(long bytes) => _used + bytes <= Limit && (_heap is null || _heap.InUse() + bytes <= _heap.Ceiling);

    public long Limit { get; }

    /// <summary>How long background work waits for its bytes before a persist forces them and a compaction gives up.</summary>
    public TimeSpan MaxWait { get; }

    public long Used => Interlocked.Read(ref _used);

    /// <summary>The most reserved at once since the start.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>Background reservations waiting for bytes now.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Persists that could not wait any longer and took their bytes over the limit.</summary>
    public long Forced => Interlocked.Read(ref _forced);

    /// <summary>
    /// Takes <paramref name="bytes"/> for a query if they fit and no background work waits (it goes first); never
    /// waits. False: nothing was taken.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            if (_waiters.Count > 0 || !Fits(bytes) || (_heap is not null && _heap.InUse() + bytes > _heap.QueryCeiling))
            {
                return false;
            }
            Add(bytes);
            return true;
        }
    }

    /// <summary>Gives back bytes taken with <see cref="TryReserve"/> (or held by a lease), serving waiters that now fit.</summary>
    public void Release(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            Add(-bytes);
        }
        Serve();
    }

    /// <summary>Grants waiting reservations that fit now, in order.</summary>
    private void Serve()
    {
        List<Waiter>? served = null;
        lock (_lock)
        {
            // In order: the first waiter that does not fit holds back the rest, so a large persist is not overtaken
            // for ever by smaller compactions.
            while (_waiters.Count > 0 && Fits(_waiters[0].Bytes))
            {
                var next = _waiters[0];
                _waiters.RemoveAt(0);
                Add(next.Bytes);
                (served ??= []).Add(next);
            }
        }
        // Completed outside the lock: a continuation may run inline and reserve again.
        foreach (var waiter in served ?? [])
        {
            waiter.Granted.SetResult();
        }
    }

    /// <summary>
    /// Waits until <paramref name="bytes"/> (at most <see cref="Limit"/>) can be reserved for background work. A persist
    /// gets them after <see cref="MaxWait"/> at the latest, over the limit if need be; a compaction gets null then.
    /// </summary>
    public async Task<ProcessMemoryLease?> ReserveAsync(MemoryClaimant claimant, long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (claimant == MemoryClaimant.Query)
        {
            throw new ArgumentException("queries do not wait for memory: use TryReserve", nameof(claimant));
        }
        bytes = Math.Min(bytes, Limit);
        Waiter waiter;
        lock (_lock)
        {
            if (!_waiters.Any(w => w.Claimant >= claimant) && Fits(bytes))
            {
                Add(bytes);
                return new ProcessMemoryLease(this, claimant, bytes, waited: TimeSpan.Zero, forced: false);
            }
            waiter = new Waiter(claimant, bytes);
            // Behind every waiter of the same or a higher priority, ahead of the lower ones.
            var at = _waiters.FindIndex(w => w.Claimant < claimant);
            _waiters.Insert(at < 0 ? _waiters.Count : at, waiter);
        }
        var started = _time.GetTimestamp();
        try
        {
            while (true)
            {
                var left = MaxWait - _time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }
                try
                {
                    await waiter.Granted.Task.WaitAsync(_heap is null || _heap.Poll > left ? left : _heap.Poll, _time, cancellationToken).ConfigureAwait(false);
                    return new ProcessMemoryLease(this, claimant, bytes, _time.GetElapsedTime(started), forced: false);
                }
                catch (TimeoutException) when (_heap is not null && _time.GetElapsedTime(started) < MaxWait)
                {
                    CollectIfOnlyTheHeapBlocks();
                    Serve(); // the heap may have shrunk (a collection) with no release
                }
            }
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            bool queued;
            lock (_lock)
            {
                queued = _waiters.Remove(waiter);
                if (queued && claimant == MemoryClaimant.Persist && !cancellationToken.IsCancellationRequested)
                {
                    Add(bytes);
                    Interlocked.Increment(ref _forced);
                }
            }
            if (!queued)
            {
                // Served while the wait ended: the bytes are this caller's.
                await waiter.Granted.Task.ConfigureAwait(false);
                return new ProcessMemoryLease(this, claimant, bytes, _time.GetElapsedTime(started), forced: false);
            }
            // Those behind it may fit now.
            Serve();
            cancellationToken.ThrowIfCancellationRequested();
            return claimant == MemoryClaimant.Persist ? new ProcessMemoryLease(this, claimant, bytes, _time.GetElapsedTime(started), forced: true) : null;
        }
    }

    private void CollectIfOnlyTheHeapBlocks()
    {
        if (_heap?.Collect is not { } collect)
        {
            return;
        }
        lock (_lock)
        {
            var last = Interlocked.Read(ref _lastCollect);
            if (_waiters.Count == 0 || _used + _waiters[0].Bytes > Limit || (last != 0 && _time.GetElapsedTime(last) < TimeSpan.FromSeconds(1)))
            {
                return;
            }
            Interlocked.Exchange(ref _lastCollect, _time.GetTimestamp());
        }
        collect();
    }

    private void Add(long bytes)
    {
        var used = Interlocked.Add(ref _used, bytes);
        if (used > Interlocked.Read(ref _peak))
        {
            Interlocked.Exchange(ref _peak, used);
        }
    }

    /// <summary>A size as the messages print it (KiB, MiB, GiB).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    private sealed record Waiter(MemoryClaimant Claimant, long Bytes)
    {
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
