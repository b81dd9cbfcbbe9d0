using Tsdb.ObjectStore;

namespace Tsdb.Catalog.Tests;

/// <summary>Each ingest node of a cluster keeps its own persisted WAL sequence in the catalog, through log and checkpoints.</summary>
public sealed class NodeSequenceTests
{
    [Fact]
    public async Task Two_nodes_racing_keep_each_their_own_sequence_through_records_and_checkpoints()
    {
        var store = new InMemoryObjectStore();
        ICatalogStore Open() => new ObjectStoreCatalogStore(store, new CatalogLogOptions { CheckpointInterval = 3 });
        var i1 = await Catalog.CreateAsync(Open());
        var i2 = await Catalog.CreateAsync(Open());
        for (var n = 1; n <= 4; n++)
        {
            var through = n * 10;
            await i1.UpdateAsync(e => { e.SetPersistedSequence("i1", through); return true; });
            await i2.UpdateAsync(e => { e.SetPersistedSequence("i2", through + 1); return true; });
        }
        Assert.Equal(40, i2.Current.PersistedSequenceOf("i1"));
        Assert.Equal(41, i2.Current.PersistedSequenceOf("i2"));
        Assert.Equal(0, i2.Current.PersistedSequenceOf(null)); // the single server's own is untouched
        Assert.Equal(0, i2.Current.PersistedSequenceOf("i3"));

        var reloaded = (await Open().LoadAsync())!;
        Assert.Equal(40, reloaded.PersistedSequenceOf("i1"));
        Assert.Equal(41, reloaded.PersistedSequenceOf("i2"));

        // From a checkpoint alone, too.
        await new ObjectStoreCatalogStore(store).WriteCheckpointAsync(i2.Current);
        var fromCheckpoint = (await Open().LoadAsync())!;
        Assert.Equal(40, fromCheckpoint.PersistedSequenceOf("i1"));
        Assert.Equal(41, fromCheckpoint.PersistedSequenceOf("i2"));
    }

    [Fact]
    public async Task A_sequence_never_goes_back_and_the_checkpoint_format_says_cluster()
    {
        var catalog = new Catalog(new InMemoryCatalogStore());
        await catalog.UpdateAsync(e => { e.SetPersistedSequence("i1", 50); return true; });
        await catalog.UpdateAsync(e => { e.SetPersistedSequence("i1", 20); return true; });
        Assert.Equal(50, catalog.Current.PersistedSequenceOf("i1"));

        var bytes = CatalogSerializer.Serialize(catalog.Current);
        using (var json = System.Text.Json.JsonDocument.Parse(bytes))
        {
            // An older server, which knows one WAL only, refuses a cluster's catalog rather than replay wrongly.
            Assert.Equal(4, json.RootElement.GetProperty("FormatVersion").GetInt32());
        }
        Assert.Equal(50, CatalogSerializer.Deserialize(bytes, "test").PersistedSequenceOf("i1"));
    }
}
