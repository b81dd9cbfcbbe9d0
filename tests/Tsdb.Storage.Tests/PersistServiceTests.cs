using Tsdb.ObjectStore;
using Tsdb.Storage.Persistence;

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
        _s.Faults.FailNext(ObjectStoreOperation.CompleteWrite, 2);   // a small file is one part, sent at completion
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
        _s.Faults.FailNext(ObjectStoreOperation.CompleteWrite, 100);
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
    [Fact]
    public async Task A_table_larger_than_a_slice_persists_as_several_files_in_wal_order_and_the_later_write_wins()
    {
        // Every write is a slice of its own: three files of one table and day, each with its own sequence.
        await using var s = new StorageHarness(new StorageOptions { PersistSliceBytes = 1 });
        await s.Write("t,h=a v=1 10\nt,h=b v=2 20");
        await s.Write("t,h=a v=3 10");   // the same point again: the later write wins
        await s.Write("t,h=c v=4 30");
        var result = await s.Persist.PersistAsync();
        Assert.Equal(3, result.Files);
        Assert.Equal(4, result.Rows);
        var files = s.Catalog.Current.FilesOf("db", "t").OrderBy(f => f.MaxSequence).ToList();
        Assert.Equal([1L, 2L, 3L], files.Select(f => f.MaxSequence));
        Assert.Equal([2L, 1L, 1L], files.Select(f => f.RowCount));
        Assert.Equal(0, s.Buffer.RowCount);
        Assert.Equal(["10|a|3", "20|b|2", "30|c|4"], await s.Read());

        // Compaction merges the slices in the same order: the same rows in one file.
        await s.Compactor.CompactAsync(minFiles: 2);
        Assert.Single(s.Catalog.Current.FilesOf("db", "t"));
        Assert.Equal(["10|a|3", "20|b|2", "30|c|4"], await s.Read());
    }

    [Fact]
    public void Slices_hold_at_most_the_size_and_never_split_one_sequence()
    {
        static BufferedChunk Chunk(long sequence, long bytes) => new("db", "t", sequence, 0, null!, 0, 0, bytes, default);
        var chunks = new[] { Chunk(1, 40), Chunk(2, 40), Chunk(3, 30), Chunk(3, 90), Chunk(4, 500), Chunk(5, 10) };
        var slices = PersistService.Slices(chunks, 100).Select(s => string.Join(',', s.Select(c => c.Sequence))).ToList();
        // 1+2 fit; the two chunks of 3 pass 100 together but stay together; 4 alone is larger than a slice.
        Assert.Equal(["1,2", "3,3", "4", "5"], slices);
    }
}
#pragma warning restore CA1001
