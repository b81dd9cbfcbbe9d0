using System.Globalization;
using Tsdb.ObjectStore;

namespace Tsdb.Catalog;

/// <summary>
/// Keeps the catalog in the object store as one immutable object per version, <c>catalog/{version}.json</c>, each a
/// complete checkpoint. A version is written with put-if-absent, so of two writers that both start from version N
/// exactly one publishes N+1; the other gets <see cref="CatalogConflictException"/>. The newest version is the
/// catalog; a few older ones are kept for readers that still hold them.
/// </summary>
public sealed class ObjectStoreCatalogStore(IObjectStore store, int keepVersions = 10) : ICatalogStore
{
    public const string Prefix = "catalog/";

    public CatalogSnapshot? Load() => LoadAsync().GetAwaiter().GetResult();

    public async Task<CatalogSnapshot?> LoadAsync(CancellationToken cancellationToken = default)
    {
        string? newest = null;
        await foreach (var meta in store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (VersionOf(meta.Key) is not null && (newest is null || string.CompareOrdinal(meta.Key, newest) > 0))
            {
                newest = meta.Key;
            }
        }
        if (newest is null)
        {
            return null;
        }
        var bytes = await store.GetAsync(newest, cancellationToken).ConfigureAwait(false);
        return CatalogSerializer.Deserialize(bytes, newest);
    }

    public void Save(CatalogSnapshot snapshot) => SaveAsync(snapshot).GetAwaiter().GetResult();

    public async Task SaveAsync(CatalogSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var key = KeyOf(snapshot.Version);
        if (!await store.PutIfAbsentAsync(key, CatalogSerializer.Serialize(snapshot), cancellationToken).ConfigureAwait(false))
        {
            throw new CatalogConflictException($"catalog version {snapshot.Version} was written by another writer");
        }
        // Old versions beyond the few kept are garbage; losing this cleanup to a crash is harmless.
        var old = snapshot.Version - keepVersions;
        if (old > 0)
        {
            await store.DeleteAsync(KeyOf(old), cancellationToken).ConfigureAwait(false);
        }
    }

    public static string KeyOf(long version) => Prefix + version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    private static long? VersionOf(string key) =>
        key.StartsWith(Prefix, StringComparison.Ordinal) && key.EndsWith(".json", StringComparison.Ordinal)
            && long.TryParse(key.AsSpan(Prefix.Length, key.Length - Prefix.Length - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
}

/// <summary>Another writer published the catalog version this one meant to write.</summary>
public sealed class CatalogConflictException(string message) : Exception(message);
