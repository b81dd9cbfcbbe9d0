using Tsdb.Catalog;
using Tsdb.Core.Deletes;
using Tsdb.Query;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;

namespace Tsdb.Storage.Tests;

/// <summary>
/// Row deletes through the storage services: a delete hides matching rows at once wherever they are (buffer, files),
/// leaves rows written after it alone, is folded into files by persist and compaction, then forgotten, and survives a
/// reload of the catalog.
/// </summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class RowDeleteTests : IAsyncLifetime
{
    private readonly StorageHarness _s = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private static DeletePredicate HostA(long? from = null, long? to = null) => new(from, to, [DeleteTerm.Of("h", DeleteOperator.Equal, "a")]);

    [Fact]
    public async Task A_delete_hides_matching_rows_in_files_and_buffer_at_once()
    {
        await _s.Write("t,h=a v=1 1000\nt,h=b v=2 1000\nt,h=a v=3 2000");
        await _s.Persist.PersistAsync();
        await _s.Write("t,h=a v=4 3000\nt,h=b v=5 3000");

        await _s.Deleter.DeleteAsync("db", "t", HostA(to: 2999));

        Assert.Equal(["1000|b|2", "3000|a|4", "3000|b|5"], (await _s.Read()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rows_written_after_the_delete_stay_even_when_they_match()
    {
        await _s.Write("t,h=a v=1 1000");
        await _s.Deleter.DeleteAsync("db", "t", HostA());
        await _s.Write("t,h=a v=2 1000\nt,h=a v=3 5000");
        Assert.Equal(["1000|a|2", "5000|a|3"], (await _s.Read()));

        // Persisting keeps the same answer: the delete folds into the earlier write only.
        await _s.Persist.PersistAsync();
        Assert.Equal(["1000|a|2", "5000|a|3"], (await _s.Read()));
    }

    [Fact]
    public async Task Persist_and_compaction_fold_the_delete_into_files_then_forget_it()
    {
        await _s.Write("t,h=a v=1 1000\nt,h=b v=2 1000");
        await _s.Persist.PersistAsync();
        await _s.Write("t,h=a v=3 2000");
        var tombstone = await _s.Deleter.DeleteAsync("db", "t", HostA());
        Assert.Single(_s.Catalog.Current.Tombstones);

        // The buffered row is folded by persist; the earlier file still needs the delete.
        await _s.Persist.PersistAsync();
        Assert.Single(_s.Catalog.Current.Tombstones);

        // Compaction rewrites the partition without host a's rows and forgets the delete.
        await _s.Compactor.CompactAsync();
        Assert.Empty(_s.Catalog.Current.Tombstones);
        Assert.All(_s.Catalog.Current.Files, f => Assert.True(f.TombstonesThrough >= tombstone.Id));
        Assert.Equal(["1000|b|2"], (await _s.Read()));
        Assert.Equal([1000L], await _s.TimesInFiles());
    }

    [Fact]
    public async Task A_single_file_partition_is_rewritten_for_a_delete()
    {
        await _s.Write("t,h=a v=1 1000\nt,h=b v=2 1000");
        await _s.Persist.PersistAsync();
        await _s.Deleter.DeleteAsync("db", "t", HostA());
        var result = await _s.Compactor.CompactAsync();
        Assert.Equal(1, result.FilesWritten);
        Assert.Empty(_s.Catalog.Current.Tombstones);
        Assert.Equal([1000L], await _s.TimesInFiles());
    }

    [Fact]
    public async Task Deleting_every_row_of_a_partition_leaves_no_file()
    {
        await _s.Write("t,h=a v=1 1000\nt,h=a v=2 2000");
        await _s.Persist.PersistAsync();
        await _s.Deleter.DeleteAsync("db", "t", new DeletePredicate(null, null, []));
        Assert.Empty(await _s.Read());
        await _s.Compactor.CompactAsync();
        Assert.Empty(_s.Catalog.Current.Files);
        Assert.Empty(_s.Catalog.Current.Tombstones);
    }

    [Fact]
    public async Task Field_and_time_conditions_select_rows_exactly()
    {
        await _s.Write("t,h=a v=1,s=\"x\" 1000\nt,h=a v=5,s=\"y\" 2000\nt,h=a v=9,s=\"x\" 3000\nt,h=b v=9 3000");
        await _s.Persist.PersistAsync();
        await _s.Deleter.DeleteAsync("db", "t", new DeletePredicate(1500, null, [DeleteTerm.Of("v", DeleteOperator.GreaterOrEqual, 5L), DeleteTerm.Of("s", DeleteOperator.Equal, "x")]));
        // Only host a's row at 3000 has v >= 5 and s = 'x' after 1500 (host b's has no s: a null matches nothing).
        Assert.Equal(["1000|a|1|x", "2000|a|5|y", "3000|b|9|null"], (await _s.Read()));
    }

    [Fact]
    public async Task A_delete_survives_a_reload_of_the_catalog()
    {
        await _s.Write("t,h=a v=1 1000\nt,h=b v=2 1000");
        await _s.Persist.PersistAsync();
        await _s.Deleter.DeleteAsync("db", "t", HostA());
        var reloaded = new Catalog.Catalog(new ObjectStoreCatalogStore(_s.Store));
        Assert.Single(reloaded.Current.Tombstones);
        var tables = new StorageTableSource(reloaded, new WriteBuffer(1 << 20), new ParquetFiles(_s.Memory));
        var rows = new List<string>();
        await foreach (var batch in Query.Chunks.ChunkScan.ScanSortedAsync(tables, new ScanRequest("db", "t")))
        {
            rows.AddRange(Enumerable.Range(0, batch.Length).Select(i => string.Join('|', batch.Columns.Select(c => c.GetObject(i)?.ToString() ?? "null"))));
        }
        Assert.Equal(["1000|b|2"], rows);
    }

    [Fact]
    public async Task Deletes_name_what_does_not_exist_or_fit()
    {
        Assert.Contains("database 'nope' not found", (await Assert.ThrowsAsync<QueryException>(() => _s.Deleter.DeleteAsync("nope", "t", HostA()))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletes_refuse_a_column_the_table_lacks_or_a_value_of_the_wrong_type()
    {
        await _s.Write("t,h=a v=1 1000");
        Assert.Contains("column 'zz' not found", (await Assert.ThrowsAsync<QueryException>(() => _s.Deleter.DeleteAsync("db", "t", new DeletePredicate(null, null, [DeleteTerm.Of("zz", DeleteOperator.Equal, "x")])))).Message, StringComparison.Ordinal);
        Assert.Contains("compares it with a value of another type", (await Assert.ThrowsAsync<QueryException>(() => _s.Deleter.DeleteAsync("db", "t", new DeletePredicate(null, null, [DeleteTerm.Of("v", DeleteOperator.Equal, true)])))).Message, StringComparison.Ordinal);
        // A number written as text (InfluxDB 2's predicates are all text) compares as a number.
        await _s.Deleter.DeleteAsync("db", "t", new DeletePredicate(null, null, [DeleteTerm.Of("v", DeleteOperator.Equal, "1")]));
        Assert.Empty(await _s.Read());
    }
}
#pragma warning restore CA1001
