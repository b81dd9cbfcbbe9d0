using Tsdb.Core.Cluster;

namespace Tsdb.Cluster;

/// <summary>This node of a cluster: who it is, what it does, where the others reach it, and the cluster's timings.</summary>
public sealed record ClusterOptions(string NodeId, NodeRoles Roles, Uri AdvertiseUrl)
{
    /// <summary>How often the node rewrites its registration.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A node whose registration is older than this is taken for dead: query nodes stop asking it.</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a compactor's lease lasts without renewal; another compact node takes over after it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a node reads the catalog versions other nodes published.</summary>
    public TimeSpan CatalogRefreshInterval { get; init; } = TimeSpan.FromSeconds(1);
}
