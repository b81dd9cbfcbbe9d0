namespace Tsdb.Storage.Persistence;

/// <summary>
/// The background loop: persists when the buffer passes its size, row or age threshold (or at once when asked, as
/// the write path does when the buffer is full), compacts partitions with many files, applies retention and deletes
/// objects whose grace period is over. A failed round is reported and tried again later; the WAL keeps the data
/// until a persist has succeeded. The services coordinate among themselves (see <see cref="FileRewriteGate"/>), so
/// an admin request may run one of them while the loop runs another. In a cluster a node does its roles' part: an
/// ingest node persists (no compaction), a compact node compacts, applies retention and deletes only while
/// <c>mayMaintain</c> says so (it holds the compactor lease), a query node does neither. It is also what front ends
/// ask for the same work on request (<see cref="IStorageControl"/>).
/// </summary>
public sealed class StorageService(PersistService? persister, Compactor compactor, RetentionService retention, DeletionService deletion, WriteBuffer buffer, StorageOptions options, TimeProvider time, Action<string> log, Func<bool>? mayMaintain = null) : IStorageControl, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private Task? _loop;
    private int _disposed;

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>Asks for a persist now (the write path calls this when the buffer is over budget).</summary>
    public void RequestPersist()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    public Task<PersistService.PersistResult> PersistNowAsync(CancellationToken cancellationToken) =>
        persister is null
            ? throw new InvalidOperationException("this node does not persist (it has no ingest role)")
            : persister.PersistAsync(cancellationToken);

    public async Task<Compactor.CompactResult> CompactNowAsync(CancellationToken cancellationToken)
    {
        var result = await compactor.CompactAsync(minFiles: 2, cancellationToken).ConfigureAwait(false);
        await deletion.DeletePendingAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public Task ApplyRetentionNowAsync(CancellationToken cancellationToken) => retention.ApplyAsync(force: true, cancellationToken);

    public Task<bool> DeleteDatabaseAsync(string database, CancellationToken cancellationToken) => deletion.DeleteDatabaseAsync(database, cancellationToken);

    public Task<bool> DeleteTableAsync(string database, string table, CancellationToken cancellationToken) => deletion.DeleteTableAsync(database, table, cancellationToken);

    private DateTimeOffset? _failingSince;
    private DateTimeOffset _lastFailureLog;

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(options.CheckInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (persister is not null && ShouldPersist())
                {
                    var result = await persister.PersistAsync(cancellationToken).ConfigureAwait(false);
                    if (result.Files > 0)
                    {
                        log($"persisted {result.Rows} rows into {result.Files} files (WAL through sequence {result.ThroughSequence})");
                    }
                }
                if (mayMaintain?.Invoke() ?? true)
                {
                    await compactor.CompactAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    await retention.ApplyAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    await deletion.DeletePendingAsync(cancellationToken).ConfigureAwait(false);
                }
                if (_failingSince is { } since)
                {
                    log($"background storage work succeeds again after {(time.GetUtcNow() - since).TotalSeconds:0} s of failures");
                    _failingSince = null;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // An object store that is down fails every round: one line when it starts, then one a minute.
                var now = time.GetUtcNow();
                if (_failingSince is null || now - _lastFailureLog >= TimeSpan.FromMinutes(1))
                {
                    log(_failingSince is null
                        ? $"warning: background storage work failed, retrying every {options.CheckInterval.TotalSeconds:0.#} s: {e.Message}"
                        : $"warning: background storage work still failing since {_failingSince:yyyy-MM-ddTHH:mm:ssZ}: {e.Message}");
                    _lastFailureLog = now;
                }
                _failingSince ??= now;
            }
        }
    }

    private bool ShouldPersist() =>
        buffer.IsOverBudget
        || buffer.MemoryBytes >= options.PersistBufferBytes
        || buffer.RowCount >= options.PersistRows
        || (buffer.OldestArrival is { } oldest && time.GetUtcNow() - oldest >= options.PersistAge);

    /// <summary>Stops the loop after its current round; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
        _wake.Dispose();
    }
}
