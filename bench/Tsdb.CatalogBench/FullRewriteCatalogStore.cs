using Tsdb.Catalog;
using Tsdb.ObjectStore;

/// <summary>
/// The catalog store as it was before the log: every version is the whole catalog, <c>catalog/{version}.json</c>,
/// put-if-absent, and the version ten back is deleted. Kept here only as the baseline.
/// </summary>
internal sealed class FullRewriteCatalogStore(IObjectStore store) : ICatalogStore
{
    public async Task<CatalogSnapshot?> LoadAsync(CancellationToken cancellationToken = default)
    {
        string? newest = null;
        await foreach (var meta in store.ListAsync(ObjectStoreCatalogStore.Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!meta.Key.AsSpan(ObjectStoreCatalogStore.Prefix.Length).Contains('/') && (newest is null || string.CompareOrdinal(meta.Key, newest) > 0))
            {
                newest = meta.Key;
            }
        }
        return newest is null ? null : CatalogCheckpoint.Deserialize(await store.GetAsync(newest, cancellationToken).ConfigureAwait(false), newest);
    }

    public async Task<bool> AppendAsync(CatalogSnapshot previous, CatalogSnapshot next, CancellationToken cancellationToken = default)
    {
        if (!await store.PutIfAbsentAsync(ObjectStoreCatalogStore.LegacyKey(next.Version), CatalogSerializer.Serialize(next), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        if (next.Version > 10)
        {
            await store.DeleteAsync(ObjectStoreCatalogStore.LegacyKey(next.Version - 10), cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    public Task<CatalogSnapshot> CatchUpAsync(CatalogSnapshot current, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
