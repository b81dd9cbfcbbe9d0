using Tsdb.Core.IO;

namespace Tsdb.Catalog;

/// <summary>Keeps the catalog as one JSON file, replaced atomically on every change (tests and tools).</summary>
public sealed class FileCatalogStore(string path) : ICatalogStore
{
    public string Path { get; } = path;

    public CatalogSnapshot? Load() => File.Exists(Path) ? CatalogSerializer.Deserialize(File.ReadAllBytes(Path), Path) : null;

    public void Save(CatalogSnapshot snapshot)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        DurableFile.WriteAllBytes(Path, CatalogSerializer.Serialize(snapshot));
    }
}
