using Microsoft.AspNetCore.Http;
using Tsdb.Core.Cluster;

namespace Tsdb.Server.Http;

/// <summary>Endpoint metadata: the route is served only by nodes with this role (<c>--mode</c>).</summary>
internal sealed record RequiresRole(NodeRoles Role);

/// <summary>
/// In a cluster, writes go to ingest nodes and queries to query nodes: a request a node's roles do not cover gets
/// 421 Misdirected Request in the API's dialect, naming the nodes that serve it (from the node registry).
/// </summary>
internal static class RoleGate
{
    public static Func<HttpContext, RequestDelegate, Task> Middleware(ServerOptions options) => (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresRole>() is { } required && !options.Roles.HasFlag(required.Role))
        {
            return Refuse(context, options, required.Role);
        }
        return next(context);
    };

    public static string Message(ServerOptions options, NodeRoles role)
    {
        var what = role switch
        {
            NodeRoles.Ingest => "writes",
            NodeRoles.Query => "queries",
            _ => "compaction and retention",
        };
        var others = options.NodesWithRole(role);
        var where = others.Count == 0 ? $"no {NodeRoleNames.Format(role)} node is registered now" : $"send them to {string.Join(" or ", others)}";
        return $"this node runs with --mode {NodeRoleNames.Format(options.Roles)} and does not serve {what}: {where}";
    }

    private static Task Refuse(HttpContext context, ServerOptions options, NodeRoles role)
    {
        var path = context.Request.Path.Value ?? "";
        var dialect = path.StartsWith("/api/v2/", StringComparison.Ordinal) ? ApiDialect.V2
            : path.StartsWith("/api/v1/", StringComparison.Ordinal) ? ApiDialect.Prometheus
            : ApiDialect.V3;
        return HttpErrors.Write(context, dialect, StatusCodes.Status421MisdirectedRequest, Message(options, role));
    }
}
