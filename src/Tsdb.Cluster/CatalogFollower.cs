namespace Tsdb.Cluster;

/// <summary>
/// Reads the catalog versions other nodes published, every <see cref="ClusterOptions.CatalogRefreshInterval"/>: new
/// tables and tokens, files persisted by ingest nodes and rewritten by the compactor. (Updates that conflict catch up
/// on their own; this is for nodes that only read.)
/// </summary>
public sealed class CatalogFollower(Catalog.Catalog catalog, TimeSpan interval, TimeProvider time, Action<string> log) : IAsyncDisposable
{
    private readonly PeriodicRound _rounds = new(
        catalog.RefreshAsync,
        interval,
        time,
        e => log($"warning: cluster: cannot read the catalog's new versions: {e.Message}"),
        () => log("cluster: the catalog reads again"));

    public void Start() => _rounds.Start();

    public ValueTask DisposeAsync() => _rounds.DisposeAsync();
}
