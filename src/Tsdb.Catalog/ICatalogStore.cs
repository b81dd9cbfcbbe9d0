namespace Tsdb.Catalog;

/// <summary>
/// Where the catalog is kept between runs: a sequence of versions, each published at most once. Several
/// <see cref="Catalog"/>s (one per process, or several processes on one object store) may share a store; a writer
/// that lost the race for a version catches up with <see cref="CatchUpAsync"/> and tries again.
/// </summary>
public interface ICatalogStore
{
    /// <summary>The newest catalog, or null when none was ever saved.</summary>
    Task<CatalogSnapshot?> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes <paramref name="next"/> (version <c>previous.Version + 1</c>) durably: returns true only when it would
    /// survive a crash, false when another writer already published that version (nothing is written then).
    /// </summary>
    Task<bool> AppendAsync(CatalogSnapshot previous, CatalogSnapshot next, CancellationToken cancellationToken = default);

    /// <summary>
    /// <paramref name="current"/> with every version published after it applied (by this or another writer), or
    /// <paramref name="current"/> itself when there is none.
    /// </summary>
    Task<CatalogSnapshot> CatchUpAsync(CatalogSnapshot current, CancellationToken cancellationToken = default);
}
