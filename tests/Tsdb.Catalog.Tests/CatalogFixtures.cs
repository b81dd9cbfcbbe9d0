using System.Text;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;

namespace Tsdb.Catalog.Tests;

/// <summary>Shared helpers: file entries, a canonical text of a snapshot, and the keys under <c>catalog/</c>.</summary>
internal static class CatalogFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    public static ParquetFileEntry FileEntry(long id, string database = "db", string table = "t", int day = 20000) =>
        new(id, database, table, day, $"dbs/{database}/{table}/{day}/{id}.parquet", id * 10, id * 10 + 9, 100 + id, 4096 + id, id, 0, Now)
        {
            TagRanges = new Dictionary<string, TagRange> { ["host"] = new($"a{id}", $"z{id}"), ["empty"] = new(null, null) },
        };

    /// <summary>The whole catalog as one canonical text: equal catalogs give equal text.</summary>
    public static string Canonical(CatalogSnapshot snapshot) => Encoding.UTF8.GetString(CatalogSerializer.Serialize(snapshot));

    public static async Task<List<string>> KeysAsync(IObjectStore store, string prefix = ObjectStoreCatalogStore.Prefix)
    {
        var keys = new List<string>();
        await foreach (var meta in store.ListAsync(prefix))
        {
            keys.Add(meta.Key);
        }
        return keys;
    }

    /// <summary>Adds a table with a tag and a field to <paramref name="database"/> (made if missing).</summary>
    public static void AddTable(CatalogEditor e, string database, string table)
    {
        Assert.Null(e.EnsureDatabase(database, out _));
        Assert.Null(e.EnsureTable(database, table, out _));
        Assert.Null(e.EnsureColumn(database, table, "host", ColumnKind.Tag));
        Assert.Null(e.EnsureColumn(database, table, "value", ColumnKind.Float));
    }

    /// <summary>What a persist does to the catalog: new files with fresh ids and a higher persisted sequence.</summary>
    public static Task<bool> PersistAsync(Catalog catalog, string database, string table, long sequence) =>
        catalog.UpdateAsync(e =>
        {
            var id = e.NextFileId();
            e.AddFile(FileEntry(id, database, table) with { MaxSequence = sequence });
            e.SetPersistedSequence(sequence);
            return true;
        });
}
