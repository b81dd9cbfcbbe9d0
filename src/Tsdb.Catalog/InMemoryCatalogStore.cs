namespace Tsdb.Catalog;

/// <summary>A catalog store that forgets everything when the process ends (tests, <c>--object-store memory</c>).</summary>
public sealed class InMemoryCatalogStore : ICatalogStore
{
    private CatalogSnapshot? _saved;

    public CatalogSnapshot? Load() => _saved;

    public void Save(CatalogSnapshot snapshot) => _saved = snapshot;
}
