using System.Text.Json;
using Tsdb.Core.Cluster;
using Tsdb.ObjectStore;

namespace Tsdb.Cluster;

/// <summary>One node as it registered itself: id, roles, the URL others reach it on, and when it last said so.</summary>
public sealed record NodeInfo(string NodeId, string Mode, string AdvertiseUrl, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt)
{
    public NodeRoles Roles => NodeRoleNames.Parse(Mode);
}

/// <summary>
/// The cluster's members, kept beside the catalog in the object store: each node rewrites
/// <c>cluster/nodes/{node id}.json</c> every heartbeat and deletes it when it stops cleanly; the others list the prefix.
/// Registrations are not catalog log records on purpose: a heartbeat every few seconds from every node would be most of
/// the log, and membership needs no ordering with schema or file changes (a node's files and persisted sequence are
/// in the log; only where to reach it is here).
/// </summary>
public sealed class NodeRegistry(IObjectStore store, TimeProvider time)
{
    public const string Prefix = "cluster/nodes/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string KeyOf(string nodeId) => $"{Prefix}{nodeId}.json";

    public Task RegisterAsync(ClusterOptions self, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(self);
        var info = new NodeInfo(self.NodeId, NodeRoleNames.Format(self.Roles), self.AdvertiseUrl.ToString().TrimEnd('/'), startedAt, time.GetUtcNow());
        return store.PutAsync(KeyOf(self.NodeId), JsonSerializer.SerializeToUtf8Bytes(info, Json), cancellationToken);
    }

    public Task DeregisterAsync(string nodeId, CancellationToken cancellationToken) => store.DeleteAsync(KeyOf(nodeId), cancellationToken);

    /// <summary>Every registration there is (live or not); unreadable ones are skipped.</summary>
    public async Task<IReadOnlyList<NodeInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var meta in store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (meta.Key.EndsWith(".json", StringComparison.Ordinal))
            {
                keys.Add(meta.Key);
            }
        }
        var nodes = new List<NodeInfo>();
        foreach (var key in keys)
        {
            try
            {
                if (JsonSerializer.Deserialize<NodeInfo>(await store.GetAsync(key, cancellationToken).ConfigureAwait(false), Json) is { } node)
                {
                    nodes.Add(node);
                }
            }
            catch (Exception e) when (e is JsonException or ObjectNotFoundException)
            {
                // Deregistered between the list and the read, or half-written by a foreign tool: not a member.
            }
        }
        return [.. nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal)];
    }

    /// <summary>The registrations whose heartbeat is younger than <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<NodeInfo>> LiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return [.. (await ListAsync(cancellationToken).ConfigureAwait(false)).Where(n => now - n.HeartbeatAt < timeout)];
    }
}
