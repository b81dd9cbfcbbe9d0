using System.Globalization;

namespace Tsdb.Core.Diagnostics;

/// <summary>
/// The one budget (<c>--process-memory-limit</c>) that queries, persists and compactions all reserve from, so that
/// their sum, not only each on its own, stays within what the process may use besides the write buffer. It is
/// divided (<see cref="MemoryShares"/>): a part only queries may take, a part only persists and compactions may take,
/// and the rest shared; each takes its own part first. So a sustained write load, whose persists would otherwise hold
/// the whole budget, cannot starve queries, nor can queries starve the persists that drain the buffer.
/// <para>
/// Queries ask with <see cref="TryReserve(long)"/> (never waits: an operator that can spill spills when refused) or
/// <see cref="ReserveForQueryAsync"/>, which waits in line up to <see cref="MemoryShares.QueryWait"/> (cancellable) and
/// says false when the wait runs out (the caller answers 503 with Retry-After). Background work waits its turn with
/// <see cref="ReserveAsync"/>. The line: queries already running (a scan's next batch: their finishing gives memory
/// back, and a persist waiting for memory they hold would otherwise wait for them to give up), then persists, then
/// compactions, then new queries; first come first served within each. While anyone waits, the shared part grants
/// nothing to those behind, but each kind still gets its own part. A persist waits at most <see cref="MaxWait"/> and then goes
/// ahead over the limit (the buffer must drain, or writes are refused for ever); a compaction that is not served in
/// that time gives up its round (<see langword="null"/>) and the next round tries again. Request bodies
/// (<see cref="MemoryClaimant.Request"/>) take only from the shared part, never wait and ignore the line: they live
/// for the moment a request is parsed.
/// </para>
/// </summary>
public sealed class ProcessMemory
{
    private readonly Lock _lock = new();
    private readonly List<Waiter> _waiters = [];
    private readonly TimeProvider _time;
    private long _used;
    private long _peak;
    private long _forced;

    // What each kind holds (under _lock); background work holds the rest of _used.
    private long _queries;
    private long _requests;

    private readonly HeapGuard? _heap;

    /// <param name="limit">The bytes reservations may add up to.</param>
    /// <param name="maxWait">How long background work waits (see <see cref="MaxWait"/>).</param>
    /// <param name="heap">
    /// Also grant nothing that would take the managed heap (as the GC reports it now, garbage included) past a ceiling:
    /// what no reservation counts (the write buffer, caches, requests being parsed, a scan's decoded pages) is seen
    /// there. Waiting work looks again every <see cref="HeapGuard.Poll"/>, as the heap shrinks without a release.
    /// </param>
    /// <param name="shares">The parts kept for queries and for background work, and how long queries wait (none by default).</param>
    public ProcessMemory(long limit, TimeSpan? maxWait = null, HeapGuard? heap = null, TimeProvider? time = null, MemoryShares? shares = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        shares ??= MemoryShares.None;
        ArgumentOutOfRangeException.ThrowIfNegative(shares.QueryReserve);
        ArgumentOutOfRangeException.ThrowIfNegative(shares.BackgroundReserve);
        ArgumentOutOfRangeException.ThrowIfLessThan(shares.QueryWait, TimeSpan.Zero);
        if (shares.QueryReserve + shares.BackgroundReserve > limit)
        {
            throw new ArgumentException($"the parts kept for queries ({Format(shares.QueryReserve)}) and for persists and compactions ({Format(shares.BackgroundReserve)}) add up to more than the budget ({Format(limit)})", nameof(shares));
        }
        Limit = limit;
        Shares = shares;
        MaxWait = maxWait ?? TimeSpan.FromSeconds(30);
        _heap = heap;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The heap in use and the most reservations may take it to (<see cref="ProcessMemory(long, TimeSpan?, HeapGuard?, TimeProvider?, MemoryShares?)"/>).</summary>
    public sealed record HeapGuard(Func<long> InUse, long Ceiling)
    {
        /// <summary>
        /// The ceiling for queries taking from the shared part, lower than <see cref="Ceiling"/> (the default: three
        /// quarters of it): a query allocates more than its reservations count, and background work must still find
        /// room (the buffer must drain). A query's own part is held to <see cref="Ceiling"/> only.
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

    /// <summary>What the budget holds now, for a message: reserved of the limit, by whom when parts are kept, and the heap against its ceiling.</summary>
    public string Describe()
    {
        long queries, background;
        lock (_lock)
        {
            queries = _queries;
            background = Used - _queries - _requests;
        }
        var text = $"{Format(Used)} of the {Format(Limit)} that queries, persists and compactions share is reserved";
        if (Shares.QueryReserve > 0 || Shares.BackgroundReserve > 0)
        {
            text += $" (queries hold {Format(queries)}, {Format(Shares.QueryReserve)} kept for them; persists and compactions {Format(background)}, {Format(Shares.BackgroundReserve)} kept for them)";
        }
        return _heap is null ? text : text + $" and the heap holds {Format(_heap.InUse())} (queries may take it to {Format(_heap.QueryCeiling)})";
    }

    public long Limit { get; }

    /// <summary>The parts kept for queries and for background work, and how long a query waits.</summary>
    public MemoryShares Shares { get; }

    /// <summary>How long background work waits for its bytes before a persist forces them and a compaction gives up.</summary>
    public TimeSpan MaxWait { get; }

    public long Used => Interlocked.Read(ref _used);

    /// <summary>The most reserved at once since the start.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>Reservations waiting for bytes now (background work and queries).</summary>
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

    /// <summary>Persists and compactions waiting for bytes now.</summary>
    public int BackgroundWaiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count(w => w.Claimant != MemoryClaimant.Query);
            }
        }
    }

    /// <summary>Persists that could not wait any longer and took their bytes over the limit.</summary>
    public long Forced => Interlocked.Read(ref _forced);

    /// <summary>
    /// Takes <paramref name="bytes"/> for a query if they fit and no one waits for the shared part (what waits goes
    /// first; the query's own part is its own); never waits. False: nothing was taken.
    /// </summary>
    public bool TryReserve(long bytes) => TryReserve(bytes, MemoryClaimant.Query);

    /// <summary>
    /// Takes <paramref name="bytes"/> for a query or a request (<see cref="MemoryClaimant.Request"/>: from the shared
    /// part only, whoever waits) if they fit now; never waits. False: nothing was taken.
    /// </summary>
    public bool TryReserve(long bytes, MemoryClaimant claimant)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (claimant is not (MemoryClaimant.Query or MemoryClaimant.Request))
        {
            throw new ArgumentException("persists and compactions wait for memory: use ReserveAsync", nameof(claimant));
        }
        lock (_lock)
        {
            if (!Fits(claimant, bytes, mayShare: claimant == MemoryClaimant.Request || _waiters.Count == 0, heap: true))
            {
                return false;
            }
            Add(claimant, bytes);
            return true;
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> for a query, waiting in line up to <see cref="MemoryShares.QueryWait"/> when they
    /// do not fit now. <paramref name="running"/>: for a query that already holds memory (its scans' next decodes),
    /// which goes first in line, as its finishing gives memory back. False: the wait ran out (or
    /// the bytes could never fit), nothing was taken. Cancelled, it leaves the line and throws.
    /// </summary>
    public async Task<bool> ReserveForQueryAsync(long bytes, bool running, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > Limit - Shares.BackgroundReserve)
        {
            return false;
        }
        var waiter = new Waiter(MemoryClaimant.Query, bytes, running);
        lock (_lock)
        {
            if (FitsNow(waiter))
            {
                Add(MemoryClaimant.Query, bytes);
                return true;
            }
            if (Shares.QueryWait <= TimeSpan.Zero)
            {
                return false;
            }
            Enqueue(waiter);
        }
        return await WaitAsync(waiter, Shares.QueryWait, forceOnTimeout: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives back bytes a query took with <see cref="TryReserve(long)"/> or <see cref="ReserveForQueryAsync"/>, serving waiters that now fit.</summary>
    public void Release(long bytes) => Release(bytes, MemoryClaimant.Query);

    /// <summary>Gives back bytes taken for <paramref name="claimant"/>, serving waiters that now fit.</summary>
    public void Release(long bytes, MemoryClaimant claimant)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            Add(claimant, -bytes);
        }
        Serve();
    }

    /// <summary>Grants waiting reservations that fit now, in order.</summary>
    private void Serve()
    {
        List<Waiter>? served = null;
        lock (_lock)
        {
            // In order: a waiter that does not fit holds back those of its kind behind it (a large persist is not
            // overtaken for ever by smaller compactions, nor a query by later ones) and keeps everyone behind it
            // from the shared part; a query behind a waiting persist may still take its own part.
            bool blocked = false, queriesBlocked = false, backgroundBlocked = false;
            for (var i = 0; i < _waiters.Count;)
            {
                var next = _waiters[i];
                var isQuery = next.IsQuery;
                if (!(isQuery ? queriesBlocked : backgroundBlocked) && Fits(next.Claimant, next.Bytes, mayShare: !blocked, heap: true))
                {
                    _waiters.RemoveAt(i);
                    Add(next.Claimant, next.Bytes);
                    (served ??= []).Add(next);
                    continue;
                }
                blocked = true;
                queriesBlocked |= isQuery;
                backgroundBlocked |= !isQuery;
                i++;
            }
        }
        // Completed outside the lock: a continuation may run inline and reserve again.
        foreach (var waiter in served ?? [])
        {
            waiter.Granted.SetResult();
        }
    }

    /// <summary>
    /// Waits until <paramref name="bytes"/> (at most what queries leave to background work) can be reserved for
    /// background work. A persist gets them after <see cref="MaxWait"/> at the latest, over the limit if need be; a
    /// compaction gets null then.
    /// </summary>
    public async Task<ProcessMemoryLease?> ReserveAsync(MemoryClaimant claimant, long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (claimant is MemoryClaimant.Query or MemoryClaimant.Request)
        {
            throw new ArgumentException("queries and requests do not wait for a lease: use ReserveForQueryAsync or TryReserve", nameof(claimant));
        }
        bytes = Math.Min(bytes, Limit - Shares.QueryReserve);
        var waiter = new Waiter(claimant, bytes, Running: false);
        lock (_lock)
        {
            if (FitsNow(waiter))
            {
                Add(claimant, bytes);
                return new ProcessMemoryLease(this, claimant, bytes, waited: TimeSpan.Zero, forced: false);
            }
            Enqueue(waiter);
        }
        var started = _time.GetTimestamp();
        var granted = await WaitAsync(waiter, MaxWait, forceOnTimeout: claimant == MemoryClaimant.Persist, cancellationToken).ConfigureAwait(false);
        return granted || claimant == MemoryClaimant.Persist
            ? new ProcessMemoryLease(this, claimant, bytes, _time.GetElapsedTime(started), forced: !granted)
            : null;
    }

    /// <summary>
    /// Whether a new reservation can be granted without waiting (under the lock): no one of its kind is ahead of it in
    /// line, and it fits in its own part, or in the shared part when no one at all is ahead of it.
    /// </summary>
    private bool FitsNow(Waiter waiter) =>
        !_waiters.Any(w => w.IsQuery == waiter.IsQuery && w.Rank >= waiter.Rank)
        && Fits(waiter.Claimant, waiter.Bytes, mayShare: !_waiters.Any(w => w.Rank >= waiter.Rank), heap: true);

    /// <summary>Behind every waiter of the same or a higher rank, ahead of the lower ones.</summary>
    private void Enqueue(Waiter waiter)
    {
        var at = _waiters.FindIndex(w => w.Rank < waiter.Rank);
        _waiters.Insert(at < 0 ? _waiters.Count : at, waiter);
    }

    /// <summary>
    /// Waits for <paramref name="waiter"/> to be served, at most <paramref name="bound"/>. False: not served in time
    /// and out of the line (with <paramref name="forceOnTimeout"/> its bytes were taken over the limit all the same).
    /// </summary>
    private async Task<bool> WaitAsync(Waiter waiter, TimeSpan bound, bool forceOnTimeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            while (true)
            {
                var left = bound - _time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }
                try
                {
                    await waiter.Granted.Task.WaitAsync(_heap is null || _heap.Poll > left ? left : _heap.Poll, _time, cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (TimeoutException) when (_heap is not null && _time.GetElapsedTime(started) < bound)
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
                if (queued && forceOnTimeout && !cancellationToken.IsCancellationRequested)
                {
                    Add(waiter.Claimant, waiter.Bytes);
                    Interlocked.Increment(ref _forced);
                }
            }
            if (!queued)
            {
                // Served while the wait ended: the bytes are this caller's.
                await waiter.Granted.Task.ConfigureAwait(false);
                return true;
            }
            // Those behind it may fit now.
            Serve();
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>The shared part: what neither kind keeps for itself.</summary>
    private long Shared => Limit - Shares.QueryReserve - Shares.BackgroundReserve;

    /// <summary>
    /// Whether <paramref name="bytes"/> fit for <paramref name="claimant"/> (under the lock): in its own part, or, with
    /// <paramref name="mayShare"/>, in the shared part; and, with <paramref name="heap"/>, under the heap's ceiling
    /// (the queries' lower one when a query takes from the shared part).
    /// </summary>
    private bool Fits(MemoryClaimant claimant, long bytes, bool mayShare, bool heap)
    {
        var queries = _queries;
        var requests = _requests;
        var background = _used - queries - requests;
        bool own;
        switch (claimant)
        {
            case MemoryClaimant.Query:
                own = queries + bytes <= Shares.QueryReserve;
                queries += bytes;
                break;
            case MemoryClaimant.Request:
                own = false;
                requests += bytes;
                break;
            default:
                own = background + bytes <= Shares.BackgroundReserve;
                background += bytes;
                break;
        }
        if (!own)
        {
            // Each kind's bytes beyond its own part, and every request's, are in the shared part.
            var shared = Math.Max(0, queries - Shares.QueryReserve) + Math.Max(0, background - Shares.BackgroundReserve) + requests;
            if (!mayShare || shared > Shared)
            {
                return false;
            }
        }
        if (!heap || _heap is null)
        {
            return true;
        }
        var after = _heap.InUse() + bytes;
        return after <= _heap.Ceiling && (own || claimant != MemoryClaimant.Query || after <= _heap.QueryCeiling);
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
            // Only when some waiter has room in the budget and the heap alone holds it back.
            if (!_waiters.Any(w => Fits(w.Claimant, w.Bytes, mayShare: true, heap: false)) || (last != 0 && _time.GetElapsedTime(last) < TimeSpan.FromSeconds(1)))
            {
                return;
            }
            Interlocked.Exchange(ref _lastCollect, _time.GetTimestamp());
        }
        collect();
    }

    private void Add(MemoryClaimant claimant, long bytes)
    {
        if (claimant == MemoryClaimant.Query)
        {
            _queries += bytes;
        }
        else if (claimant == MemoryClaimant.Request)
        {
            _requests += bytes;
        }
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

    private sealed record Waiter(MemoryClaimant Claimant, long Bytes, bool Running)
    {
        /// <summary>Place in line: running queries, persists, compactions, new queries.</summary>
        public int Rank => Claimant == MemoryClaimant.Query ? (Running ? 4 : 0) : (int)Claimant;

        public bool IsQuery => Claimant == MemoryClaimant.Query;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
