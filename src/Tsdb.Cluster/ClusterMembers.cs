using Tsdb.Core.Cluster;

namespace Tsdb.Cluster;

/// <summary>
/// A node's view of the cluster: its own registration kept fresh (a heartbeat), and the others' as last read, so that
/// query nodes know which ingest nodes to ask and every node can name the right one in a misdirected request's answer.
/// </summary>
public sealed class ClusterMembers(NodeRegistry registry, ClusterOptions options, TimeProvider time, Action<string> log) : IAsyncDisposable
{
    private ClusterOptions self = options;
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private IReadOnlyList<NodeInfo> _registered = [];
    private IReadOnlyList<NodeInfo> _live = [];
    private PeriodicRound? _heartbeat;
    private int _disposed;

    public ClusterOptions Self => self;

    /// <summary>The clock heartbeats are judged by.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The live nodes as last read (this one included once registered).</summary>
    public IReadOnlyList<NodeInfo> Live => Volatile.Read(ref _live);

    /// <summary>
    /// Every registration as last read, live or not. A node that crashed stays registered (only a clean stop or
    /// <c>tsdb node remove</c> deletes it), so a query node keeps counting on its unpersisted rows rather than
    /// silently answering without them.
    /// </summary>
    public IReadOnlyList<NodeInfo> Registered => Volatile.Read(ref _registered);

    /// <summary>
    /// Registers this node (reachable at <paramref name="advertiseUrl"/>, known once it listens) and reads the others
    /// once, then keeps doing both every heartbeat.
    /// </summary>
    public async Task StartAsync(Uri advertiseUrl, CancellationToken cancellationToken)
    {
        self = self with { AdvertiseUrl = advertiseUrl };
        await BeatAsync(cancellationToken).ConfigureAwait(false);
        _heartbeat = new PeriodicRound(
            BeatAsync,
            self.HeartbeatInterval,
            time,
            e => log($"warning: cluster: cannot write this node's registration ({e.Message}); other nodes will take it for dead after {self.NodeTimeout.TotalSeconds:0} s"),
            () => log("cluster: the node registry answers again"));
        _heartbeat.Start();
    }

    /// <summary>Reads the registrations now (a query node does when an ingest node it knew stops answering).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var all = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        Volatile.Write(ref _registered, all);
        Volatile.Write(ref _live, [.. all.Where(n => now - n.HeartbeatAt < self.NodeTimeout)]);
    }

    public IReadOnlyList<string> UrlsWith(NodeRoles role) =>
        [.. Live.Where(n => n.NodeId != self.NodeId && n.Roles.HasFlag(role)).Select(n => $"{n.NodeId} ({n.AdvertiseUrl})")];

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        await registry.RegisterAsync(self, _startedAt, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the heartbeat and deregisters (a clean stop: query nodes stop asking at once).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            await registry.DeregisterAsync(self.NodeId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log($"warning: cluster: could not deregister: {e.Message}");
        }
    }
}
