using Tsdb.ObjectStore;

namespace Tsdb.Storage.Tests;

/// <summary>Persist: buffer → Parquet, publication in the catalog, then the buffer and WAL let go; faults on the way.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class PersistServiceTests : IAsyncLifetime
{
    private StorageHarness _s = null!;

    public Task InitializeAsync()
    {
        _s = new StorageHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task Transient_object_store_failures_are_retried()
    {
        await _s.Write("t,h=a v=1 1\nt,h=b v=2 2");
        _s.Faults.FailNext(ObjectStoreOperation.Put, 2);
        var result = await _s.Persist.PersistAsync();
        Assert.Equal(1, result.Files);
        Assert.Equal(2, _s.Faults.InjectedCount);
        Assert.Equal(0, _s.Buffer.RowCount);
        Assert.Equal(["1|a|1", "2|b|2"], await _s.Read());
    }

    [Fact]
    public async Task When_the_store_keeps_failing_the_rows_stay_in_the_buffer_and_the_wal()
    {
        await _s.Write("t,h=a v=1 1");
        await _s.Write("t,h=a v=2 2");
        // The segments holding the two writes (the WAL may open a fresh one after an ack, so compare paths, not counts).
        var written = _s.Wal.Segments.Where(s => s.LastSequence >= 1).Select(s => s.Path).ToList();
        Assert.NotEmpty(written);
        _s.Faults.FailNext(ObjectStoreOperation.Put, 100);
        await Assert.ThrowsAnyAsync<ObjectStoreException>(() => _s.Persist.PersistAsync());
        Assert.Equal(2, _s.Buffer.RowCount);
        Assert.Subset(_s.Wal.Segments.Select(s => s.Path).ToHashSet(), written.ToHashSet());
        Assert.Empty(_s.Catalog.Current.Files);
        Assert.Equal(["1|a|1", "2|a|2"], await _s.Read());

        _s.Faults.Reset();
        var result = await _s.Persist.PersistAsync();
        Assert.Equal(1, result.Files);
        Assert.Equal(0, _s.Buffer.RowCount);
        Assert.DoesNotContain(written[0], _s.Wal.Segments.Select(s => s.Path));   // the closed segment of the first write is gone
        Assert.Equal(["1|a|1", "2|a|2"], await _s.Read());
    }

    [Fact]
    public async Task Persists_asked_for_at_once_write_each_row_once()
    {
        await _s.Write("t,h=a v=1 1\nt,h=a v=2 86400000000001\nu v=3 5");
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _s.Persist.PersistAsync())));
        Assert.Equal(3, results.Sum(r => r.Files));
        Assert.Equal(3, _s.Catalog.Current.Files.Sum(f => f.RowCount));
        Assert.Equal(1, _s.Catalog.Current.PersistedSequence);   // the one WAL record
        Assert.Equal(0, _s.Buffer.RowCount);
    }

    [Fact]
    public async Task A_table_deleted_while_its_rows_are_persisted_gets_no_file()
    {
        await _s.Write("t v=1 1\nu v=2 2");
        // Deleted after the write but before the persist: its rows leave the buffer with it, the other table persists.
        Assert.True(await _s.Deletion.DeleteTableAsync("db", "u"));
        var result = await _s.Persist.PersistAsync();
        Assert.Equal(1, result.Files);
        Assert.Equal(["t"], _s.Catalog.Current.Files.Select(f => f.Table));
    }
}
#pragma warning restore CA1001
