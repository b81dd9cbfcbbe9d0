namespace Tsdb.Cluster;

/// <summary>
/// Keeps trying for a lease and renewing it (every third of its duration), logging when this node takes it and when
/// it loses it; <see cref="IsHeld"/> is what the work it guards checks before each round.
/// </summary>
public sealed class LeaseKeeper(ObjectStoreLease lease, string what, TimeSpan duration, TimeProvider time, Action<string> log) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;
    private bool _held;

    public bool IsHeld => lease.IsHeld;

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var held = await lease.TryAcquireAsync(cancellationToken).ConfigureAwait(false);
                if (held != _held)
                {
                    if (held)
                    {
                        log($"cluster: this node holds the {what} lease now");
                    }
                    else
                    {
                        var current = await lease.CurrentAsync(cancellationToken).ConfigureAwait(false);
                        log($"cluster: the {what} lease is held by {current?.Holder ?? "nobody"}; this node waits");
                    }
                    _held = held;
                }
                await Task.Delay(duration / 3, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log($"warning: cluster: the {what} lease could not be renewed: {e.Message}");
                _held = false;
                try
                {
                    await Task.Delay(duration / 3, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Stops renewing and gives the lease up, so another node takes over at once.</summary>
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
        try
        {
            await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log($"warning: cluster: could not give the {what} lease up ({e.Message}); another node takes it when it expires");
        }
        _stop.Dispose();
    }
}
