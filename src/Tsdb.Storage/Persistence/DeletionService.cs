using Tsdb.ObjectStore;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Takes away what the catalog no longer holds: databases and tables (their buffered rows at once, their files
/// after the grace period), objects whose grace period is over (a query that started on an older catalog may read
/// them until then), and at start, objects no catalog entry names (left by a persist, compaction or retention
/// rewrite that crashed between writing a file and publishing it).
/// </summary>
public sealed class DeletionService(Catalog.Catalog catalog, WriteBuffer buffer, IObjectStore store, StorageOptions options, TimeProvider time)
{
    /// <summary>How long replaced and dropped files stay readable after the catalog stops naming them.</summary>
    public TimeSpan Grace => options.DeletionGrace;

    /// <summary>Removes a database: from the catalog, its buffered rows now, its files after the grace. False when there is none.</summary>
    public async Task<bool> DeleteDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        if (!await catalog.UpdateAsync(e => e.DeleteDatabase(database, time.GetUtcNow() + Grace), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        buffer.RemoveWhere(c => c.Database == database);
        return true;
    }

    /// <summary>Removes a table: from the catalog, its buffered rows now, its files after the grace. False when there is none.</summary>
    public async Task<bool> DeleteTableAsync(string database, string table, CancellationToken cancellationToken = default)
    {
        if (!await catalog.UpdateAsync(e => e.DeleteTable(database, table, time.GetUtcNow() + Grace), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        buffer.RemoveWhere(c => c.Database == database && c.Table == table);
        return true;
    }

    /// <summary>Deletes objects whose grace period has passed and forgets them.</summary>
    public async Task<int> DeletePendingAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = catalog.Current.PendingDeletes.Where(p => p.DeleteAfter <= now).Select(p => p.Path).ToList();
        foreach (var path in due)
        {
            await store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        }
        if (due.Count > 0)
        {
            await catalog.UpdateAsync(e =>
            {
                e.ForgetPendingDeletes(due);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        return due.Count;
    }

    /// <summary>
    /// Deletes data objects that no catalog entry names. Only at start, before the background loop or any other
    /// service writes a file: a file written but not yet published looks exactly like an orphan.
    /// </summary>
    public async Task<int> DeleteOrphansAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = catalog.Current;
        var known = snapshot.Files.Select(f => f.Path).Concat(snapshot.PendingDeletes.Select(p => p.Path)).ToHashSet(StringComparer.Ordinal);
        var orphans = new List<string>();
        await foreach (var meta in store.ListAsync(ObjectPaths.DataRoot(options.NodeId), cancellationToken).ConfigureAwait(false))
        {
            if (!known.Contains(meta.Key))
            {
                orphans.Add(meta.Key);
            }
        }
        foreach (var orphan in orphans)
        {
            await store.DeleteAsync(orphan, cancellationToken).ConfigureAwait(false);
        }
        return orphans.Count;
    }
}
