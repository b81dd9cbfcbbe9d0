using System.CommandLine;
using Tsdb.Cluster;

namespace Tsdb.Cli;

/// <summary>
/// <c>tsdb node remove ID</c>: takes a crashed node out of a cluster's registry. Query nodes keep asking a registered
/// ingest node that stopped answering (and fail with 503 naming it) rather than answer without its unpersisted rows;
/// once it is gone for good this is how an operator lets queries go on without them.
/// </summary>
internal static class NodeCommand
{
    public static Command Create() => new("node", "Manage a cluster's nodes") { RemoveCommand() };

    private static Command RemoveCommand()
    {
        var store = new StoreOptions();
        var id = new Argument<string>("node-id") { Description = "The node to remove (as --node-id named it)" };
        var force = new Option<bool>("--force") { Description = "Remove it even though its heartbeat is recent (it re-registers at its next heartbeat if it is running)" };
        var remove = new Command("remove", "Remove a node that is gone for good from the cluster's registry; the rows an ingest node had not persisted are lost") { id, force };
        store.AddTo(remove);
        remove.SetAction(async (parse, cancellationToken) =>
        {
            if (await store.ParseOrReportAsync(parse).ConfigureAwait(false) is not { } parsed)
            {
                return 2;
            }
            var (_, settings, storeDir) = parsed;
            var nodeId = parse.GetValue(id)!;
            var registry = new NodeRegistry(settings.Create(storeDir), TimeProvider.System);
            var node = (await registry.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(n => n.NodeId == nodeId);
            if (node is null)
            {
                await Console.Error.WriteLineAsync($"error: no node '{nodeId}' is registered in {settings.Describe(storeDir)}").ConfigureAwait(false);
                return 1;
            }
            var silentFor = TimeProvider.System.GetUtcNow() - node.HeartbeatAt;
            var timeout = new ClusterOptions(nodeId, node.Roles, new Uri(node.AdvertiseUrl)).NodeTimeout;
            if (silentFor < timeout && !parse.GetValue(force))
            {
                await Console.Error.WriteLineAsync($"error: node '{nodeId}' ({node.AdvertiseUrl}) sent a heartbeat {silentFor.TotalSeconds:0} s ago: it looks alive; stop it (a clean stop deregisters it) or pass --force").ConfigureAwait(false);
                return 1;
            }
            await registry.DeregisterAsync(nodeId, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"removed node '{nodeId}' ({node.Mode}, {node.AdvertiseUrl}, last heartbeat {node.HeartbeatAt:u})");
            return 0;
        });
        return remove;
    }
}
