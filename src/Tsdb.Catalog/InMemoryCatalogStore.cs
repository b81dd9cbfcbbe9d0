namespace Tsdb.Catalog;

/// <summary>
/// A catalog store that forgets everything when the process ends (tests, <c>--object-store memory</c>). Catalogs
/// sharing one instance see each other's versions, as catalogs sharing an object store do.
/// </summary>
public sealed class InMemoryCatalogStore : ICatalogStore
{
    private readonly Lock _lock = new();
    private CatalogSnapshot? _saved;

    public Task<CatalogSnapshot?> LoadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Volatile.Read(ref _saved));

    public Task<bool> AppendAsync(CatalogSnapshot previous, CatalogSnapshot next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        lock (_lock)
        {
            if ((_saved?.Version ?? 0) != previous.Version)
            {
                return Task.FromResult(false);
            }
            _saved = next;
            return Task.FromResult(true);
        }
    }

    public Task<CatalogSnapshot> CatchUpAsync(CatalogSnapshot current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        var saved = Volatile.Read(ref _saved);
        return Task.FromResult(saved is not null && saved.Version > current.Version ? saved : current);
    }
}
