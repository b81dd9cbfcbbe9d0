namespace Tsdb.Cluster;

/// <summary>
/// Keeps trying for a lease and renewing it (every third of its duration), logging when this node takes it and when
/// it loses it; <see cref="IsHeld"/> is what the work it guards checks before each round.
/// </summary>
public sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly ObjectStoreLease _lease;
    private readonly string _what;
    private readonly Action<string> _log;
    private readonly PeriodicRound _rounds;
    private bool _held;
    private int _disposed;

    public LeaseKeeper(ObjectStoreLease lease, string what, TimeSpan duration, TimeProvider time, Action<string> log)
    {
        _lease = lease;
        _what = what;
        _log = log;
        _rounds = new PeriodicRound(RoundAsync, duration / 3, time,
            e => log($"warning: cluster: the {what} lease could not be renewed: {e.Message}"),
            () => log($"cluster: the {what} lease can be renewed again"));
    }

    public bool IsHeld => _lease.IsHeld;

    public void Start() => _rounds.Start();

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        bool held;
        try
        {
            held = await _lease.TryAcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _held = false; // it lapses on its own (IsHeld follows the expiry)
            throw;
        }
        if (held == _held)
        {
            return;
        }
        _held = held;
        if (held)
        {
            _log($"cluster: this node holds the {_what} lease now");
        }
        else
        {
            var current = await _lease.CurrentAsync(cancellationToken).ConfigureAwait(false);
            _log($"cluster: the {_what} lease is held by {current?.Holder ?? "nobody"}; this node waits");
        }
    }

    /// <summary>Stops renewing and gives the lease up, so another node takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _rounds.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log($"warning: cluster: could not give the {_what} lease up ({e.Message}); another node takes it when it expires");
        }
    }
}
