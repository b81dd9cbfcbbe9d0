namespace Tsdb.Cluster;

/// <summary>
/// Reads the catalog versions other nodes published, every <see cref="ClusterOptions.CatalogRefreshInterval"/>: new
/// tables and tokens, files persisted by ingest nodes and rewritten by the compactor. (Updates that conflict catch up
/// on their own; this is for nodes that only read.)
/// </summary>
public sealed class CatalogFollower(Catalog.Catalog catalog, TimeSpan interval, TimeProvider time, Action<string> log) : IAsyncDisposable
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
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
                await catalog.RefreshAsync(cancellationToken).ConfigureAwait(false);
                if (failing)
                {
                    log("cluster: the catalog reads again");
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
                    log($"warning: cluster: cannot read the catalog's new versions: {e.Message}");
                    failing = true;
                }
            }
        }
    }

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
