namespace Tsdb.Core.Cluster;

/// <summary>
/// What a node of a cluster does (<c>tsdb serve --mode</c>): take writes (ingest), answer queries (query), compact and
/// apply retention and deletes (compact). A single server does all three.
/// </summary>
[Flags]
public enum NodeRoles
{
    None = 0,
    Ingest = 1,
    Query = 2,
    Compact = 4,
    All = Ingest | Query | Compact,
}

/// <summary>Reading and printing <see cref="NodeRoles"/> as <c>--mode</c> spells them.</summary>
public static class NodeRoleNames
{
    /// <summary>Parses <c>all</c> or a comma-separated list of <c>ingest</c>, <c>query</c>, <c>compact</c>.</summary>
    /// <exception cref="ArgumentException">An unknown or empty mode.</exception>
    public static NodeRoles Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var roles = NodeRoles.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= part.ToLowerInvariant() switch
            {
                "all" => NodeRoles.All,
                "ingest" => NodeRoles.Ingest,
                "query" => NodeRoles.Query,
                "compact" => NodeRoles.Compact,
                _ => throw new ArgumentException($"--mode takes all, ingest, query and compact (comma-separated), got '{part}'"),
            };
        }
        return roles == NodeRoles.None ? throw new ArgumentException("--mode needs at least one of all, ingest, query, compact") : roles;
    }

    public static string Format(NodeRoles roles) => roles == NodeRoles.All
        ? "all"
        : string.Join(',', new[] { (NodeRoles.Ingest, "ingest"), (NodeRoles.Query, "query"), (NodeRoles.Compact, "compact") }
            .Where(r => roles.HasFlag(r.Item1)).Select(r => r.Item2));
}
