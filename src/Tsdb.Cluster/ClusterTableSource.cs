using Grpc.Core;
using Tsdb.Arrow.Types;
using Tsdb.Core.Cluster;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Persistence;

namespace Tsdb.Cluster;

/// <summary>
/// A query node's tables: the Parquet files from the shared catalog plus, per live ingest node, the rows it has not
/// persisted yet, pulled over Flight for the scan's table, time range, columns and tag values (as IOx queriers ask
/// ingesters). The ingest nodes are asked first; each answer names the catalog version that holds whatever the node
/// already dropped from its buffer, and the catalog is read up to the newest such version before the files are
/// listed, so every acknowledged row is seen at least once (the merge makes twice harmless).
/// </summary>
public sealed class ClusterTableSource(Catalog.Catalog catalog, StorageTableSource files, ClusterMembers members, IngesterClient client) : ITableSource
{
    /// <summary>Ingester chunks sort above every file (sequences are far below this).</summary>
    private const long IngesterOrderBase = 1L << 62;

    public Schema? GetSchema(string database, string table) => files.GetSchema(database, table);

    public IReadOnlyList<string> Tables(string database) => files.Tables(database);

    public IReadOnlyList<string> Databases() => files.Databases();

    public IReadOnlyList<TableFile> Files(string database) => files.Files(database);

    /// <summary>Tables made on an ingest node less than a follow interval ago are in the catalog before the follower reads it.</summary>
    public async ValueTask<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        var before = catalog.Current.Version;
        await catalog.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return catalog.Current.Version != before;
    }

    public async ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Every registered ingest node, live or not: one that crashed may hold acknowledged rows only in its WAL.
        var ingesters = members.Registered.Where(n => n.Roles.HasFlag(NodeRoles.Ingest)).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(ingesters.Select(n => AskAsync(n, request, cancellationToken))).ConfigureAwait(false);
        var needed = answers.Length == 0 ? 0 : answers.Max(a => a?.CatalogVersion ?? 0);
        if (needed > catalog.Current.Version)
        {
            await catalog.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        var stored = await files.GetChunksAsync(request, cancellationToken).ConfigureAwait(false);
        if (stored.Columns is null)
        {
            return stored;
        }
        var chunks = new List<IQueryChunk>(stored.Chunks);
        for (var i = 0; i < answers.Length; i++)
        {
            if (answers[i] is { Batches.Count: > 0 } answer)
            {
                // In the table's own column types, as local chunks give them (tags came over the wire as utf8).
                var columns = stored.Columns.Only(request.Columns);
                var batches = answer.Batches.Select(columns.Conform).ToList();
                chunks.AddRange(IngesterChunk.ByDay(ingesters[i].NodeId, IngesterOrderBase + i, columns.Schema, batches).Where(c => ChunkPruning.MayMatch(c, request)));
            }
        }
        return new TableChunks(stored.Columns, chunks);
    }

    private async Task<IngesterClient.Answer?> AskOnceMoreAsync(NodeInfo node, ScanRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ScanAsync(node, request, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(node, e);
        }
    }

    private DataUnavailableException Unavailable(NodeInfo node, RpcException e)
    {
        var silentFor = members.Now - node.HeartbeatAt;
        var advice = silentFor < members.Self.NodeTimeout
            ? "try again"
            : $"its last heartbeat was {silentFor.TotalSeconds:0} s ago; restart it, or if it is gone for good remove it with 'tsdb node remove {node.NodeId}' (the rows it had not persisted are then lost)";
        return new DataUnavailableException(
            $"ingest node {node.NodeId} ({node.AdvertiseUrl}) did not answer for the rows it has not persisted yet: {e.Status.Detail}; "
            + $"the query would miss them, so it fails ({advice})", e);
    }

    private async Task<IngesterClient.Answer?> AskAsync(NodeInfo node, ScanRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ScanAsync(node, request, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null; // the node has never seen the table: it buffers none of its rows
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            // This node's token (made at its start) is newer than the ingest node's catalog, which reads new versions
            // every refresh interval: wait for it a few intervals.
            for (var attempt = 0; ; attempt++)
            {
                await Task.Delay(members.Self.CatalogRefreshInterval, cancellationToken).ConfigureAwait(false);
                try
                {
                    return await client.ScanAsync(node, request, cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException again) when (again.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied && attempt < 5)
                {
                }
                catch (RpcException again) when (again.StatusCode == StatusCode.NotFound)
                {
                    return null;
                }
                catch (RpcException again) when (again.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
                {
                    throw Unavailable(node, again);
                }
            }
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            // Restarted since the registrations were last read (a new address), or gone for good (deregistered)?
            await members.RefreshAsync(cancellationToken).ConfigureAwait(false);
            var now = members.Registered.FirstOrDefault(n => n.NodeId == node.NodeId);
            if (now is null)
            {
                return null; // left the cluster cleanly: whatever it held it persisted first
            }
            if (now.AdvertiseUrl != node.AdvertiseUrl || now.StartedAt != node.StartedAt)
            {
                return await AskOnceMoreAsync(now, request, cancellationToken).ConfigureAwait(false);
            }
            throw Unavailable(node, e);
        }
    }
}
