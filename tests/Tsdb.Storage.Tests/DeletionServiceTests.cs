using Tsdb.ObjectStore;

namespace Tsdb.Storage.Tests;

/// <summary>Deletion: objects after the grace period, databases and tables with their buffered rows, orphans at start.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class DeletionServiceTests : IAsyncLifetime
{
    private StorageHarness _s = null!;

    public Task InitializeAsync()
    {
        _s = new StorageHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task Files_left_by_a_failed_publish_are_removed_as_orphans()
    {
        await _s.Write("t,h=a v=1 1");
        // The file is written, then every catalog write fails: nothing is published, the file is an orphan.
        _s.Faults.FailNext(ObjectStoreOperation.PutIfAbsent, 100);
        await Assert.ThrowsAnyAsync<Exception>(() => _s.Persist.PersistAsync());
        _s.Faults.Reset();
        var orphans = (await _s.ObjectKeys()).Count;
        Assert.True(orphans >= 1);
        Assert.Equal(orphans, await _s.Deletion.DeleteOrphansAsync());
        Assert.Empty(await _s.ObjectKeys());
        Assert.Equal(["1|a|1"], await _s.Read());
    }

    [Fact]
    public async Task Replaced_files_are_deleted_only_after_the_grace_period()
    {
        await _s.Write("t v=1 1");
        await _s.Persist.PersistAsync();
        await _s.Write("t v=2 2");
        await _s.Persist.PersistAsync();
        var before = await _s.ObjectKeys();
        await _s.Compactor.CompactAsync(minFiles: 2);
        Assert.Equal(2, _s.Catalog.Current.PendingDeletes.Count);

        Assert.Equal(0, await _s.Deletion.DeletePendingAsync());
        Assert.Subset((await _s.ObjectKeys()).ToHashSet(), before.ToHashSet());   // a query on the old catalog can still read them
        _s.Time.Now += _s.Deletion.Grace;
        Assert.Equal(2, await _s.Deletion.DeletePendingAsync());
        Assert.Empty(_s.Catalog.Current.PendingDeletes);
        Assert.Equal([_s.Catalog.Current.Files.Single().Path], await _s.ObjectKeys());
        Assert.Equal(["1|1", "2|2"], await _s.Read());
    }

    [Fact]
    public async Task Deleting_a_database_drops_its_buffered_rows_at_once_and_its_files_after_the_grace()
    {
        await _s.Write("t v=1 1");
        await _s.Persist.PersistAsync();
        await _s.Write("t v=2 2");
        await _s.Write("t v=3 3", db: "other");
        Assert.True(await _s.Deletion.DeleteDatabaseAsync("db"));
        Assert.False(await _s.Deletion.DeleteDatabaseAsync("db"));
        Assert.Equal(1, _s.Buffer.RowCount);   // only the other database's row
        Assert.Empty(_s.Catalog.Current.Files);
        _s.Time.Now += _s.Deletion.Grace;
        Assert.Equal(1, await _s.Deletion.DeletePendingAsync());
        Assert.Empty(await _s.ObjectKeys());
    }
}
#pragma warning restore CA1001
