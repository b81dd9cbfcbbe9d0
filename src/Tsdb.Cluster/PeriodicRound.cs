namespace Tsdb.Cluster;

/// <summary>
/// Work a node repeats in the background (its heartbeat, following the catalog, renewing a lease): a round, then the
/// interval, until stopped. A failing round is reported once and its recovery once, so a store that is down for
/// minutes makes two log lines, not one a round.
/// </summary>
internal sealed class PeriodicRound(Func<CancellationToken, Task> round, TimeSpan interval, TimeProvider time, Action<Exception> failed, Action recovered) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var failing = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await round(cancellationToken).ConfigureAwait(false);
                if (failing)
                {
                    recovered();
                    failing = false;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!failing)
                {
                    failed(e);
                    failing = true;
                }
            }
            try
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops after the current round; a second call does nothing.</summary>
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
    }
}
