namespace Tsdb.Catalog;

/// <summary>Where the catalog is kept between runs.</summary>
public interface ICatalogStore
{
    /// <summary>The last saved catalog, or null when none was ever saved.</summary>
    CatalogSnapshot? Load();

    /// <summary>Saves durably; returns only when the snapshot would survive a crash.</summary>
    void Save(CatalogSnapshot snapshot);
}
