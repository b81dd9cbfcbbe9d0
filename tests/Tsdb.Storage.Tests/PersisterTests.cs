using System.Text;
using Tsdb.Catalog;
using Tsdb.Ingest;
using Tsdb.ObjectStore;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;
using Tsdb.Wal;

namespace Tsdb.Storage.Tests;

/// <summary>The persister over a real WAL and an in-memory object store with injected faults.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class PersisterTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-persister-").FullName;
    private readonly InMemoryObjectStore _memory = new();
    private FaultInjectingObjectStore _faults = null!;
    private Catalog.Catalog _catalog = null!;
    private WriteBuffer _buffer = null!;
    private WriteAheadLog _wal = null!;
    private Persister _persister = null!;
    private LineProtocolIngester _ingester = null!;

    public Task InitializeAsync()
    {
        _faults = new FaultInjectingObjectStore(_memory, seed: 7);
        // Retries with no real waiting, so the test is quick but the backoff path still runs.
        var store = new RetryingObjectStore(_faults, RetryPolicy.Default with { MaxAttempts = 3, Delay = (_, _) => Task.CompletedTask });
        _catalog = new Catalog.Catalog(new ObjectStoreCatalogStore(store));
        _buffer = new WriteBuffer(1L << 30);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir, SegmentBytes = 1 }, _buffer);
        _persister = new Persister(_catalog, _buffer, _wal, store, new StorageOptions(), TimeProvider.System);
        _ingester = new LineProtocolIngester(_catalog, _wal, TimeProvider.System, () => false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _persister.Dispose();
        await _wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task Write(string lines) => Assert.True((await _ingester.WriteAsync(new WriteRequest("db", Encoding.UTF8.GetBytes(lines)))).IsCompleteSuccess);

    private async Task<List<string>> Read()
    {
        var rows = new List<string>();
        await foreach (var batch in new StorageTableSource(_catalog, _buffer, new ParquetFiles(_memory)).ScanSortedAsync(new ScanRequest("db", "t")))
        {
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.GetObject(i)?.ToString() ?? "null")));
            }
        }
        return rows;
    }

    private async Task<List<(string Columns, string Row)>> Scan(ScanRequest request)
    {
        var rows = new List<(string, string)>();
        await foreach (var batch in new StorageTableSource(_catalog, _buffer, new ParquetFiles(_memory)).ScanAsync(request))
        {
            var names = string.Join(',', batch.Schema.Fields.Select(f => f.Name));
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add((names, string.Join('|', batch.Columns.Select(c => c.GetObject(i)?.ToString() ?? "null"))));
            }
        }
        return rows;
    }

    [Fact]
    public async Task Scans_skip_files_by_tag_range_and_read_only_the_asked_columns()
    {
        // Day 0: one file holding hosts b and c (streamed as is). Day 1: a file, plus a buffered rewrite of a's point (merged).
        await Write("t,h=b v=2,w=20 1000\nt,h=c v=3,w=30 2000");
        await _persister.PersistAsync();
        await Write("t,h=a v=4,w=40 86400000000000\nt,h=b v=5 86400000000001");
        await _persister.PersistAsync();
        await Write("t,h=a v=6,x=1 86400000000000");

        // h = 'a': day 0's file cannot hold it and is not read; day 1 is merged (latest non-null value per field wins).
        var a = await Scan(new ScanRequest("db", "t") { Columns = ["time", "v", "w"], TagValues = new Dictionary<string, IReadOnlyList<string>> { ["h"] = ["a"] } });
        Assert.DoesNotContain(a, r => r.Row.Contains("|1000|", StringComparison.Ordinal) || r.Row.Contains("|2000|", StringComparison.Ordinal));
        Assert.Contains(("time,h,v,w", "86400000000000|a|6|40"), a);

        // h = 'c': day 0's file is streamed with just the asked columns it has (x came later); day 1's file and its
        // buffered record (only h=a) are skipped by their tag ranges.
        var c = await Scan(new ScanRequest("db", "t") { Columns = ["v", "x"], TagValues = new Dictionary<string, IReadOnlyList<string>> { ["h"] = ["c", "zz"] } });
        Assert.Equal([("v", "2"), ("v", "3")], c);

        // No pushdown: every row, every column, as before.
        Assert.Equal(4, (await Scan(new ScanRequest("db", "t"))).Count);

        // Day 0 gets a second file: later and disjoint in time it is streamed on its own; one that overlaps the
        // first (a rewrite of b's point at 1000) makes the two one group, where only the shared window [1000, 1000]
        // is merged (the rewrite wins) and the first file's row at 2000 goes out as read, first.
        await Write("t,h=b v=7 5000");
        await _persister.PersistAsync();
        Assert.Equal([("time,v", "1000|2"), ("time,v", "2000|3"), ("time,v", "5000|7")],
            await Scan(new ScanRequest("db", "t") { Columns = ["time", "v"], ToTime = 10_000 }));
        await Write("t,h=b v=8 1000");
        await _persister.PersistAsync();
        Assert.Equal([("time,h,v", "2000|c|3"), ("time,h,v", "1000|b|8"), ("time,v", "5000|7")],
            await Scan(new ScanRequest("db", "t") { Columns = ["time", "v"], ToTime = 10_000 }));
        // Day 1 now has two files (the persists above also wrote a's rewrite): b's row lies outside their shared
        // window and comes straight from its file (which has no x); a's point is merged. The sorted read used by
        // export merges each partition whole instead, in tag and time order.
        Assert.Equal([("time,h,v,w", "86400000000001|b|5|null"), ("time,h,v,w,x", "86400000000000|a|6|40|1")],
            await Scan(new ScanRequest("db", "t") { FromTime = 86_400_000_000_000 }));
        Assert.Equal(["1000|b|8|20|null", "5000|b|7|null|null", "2000|c|3|30|null", "86400000000000|a|6|40|1", "86400000000001|b|5|null|null"], await Read());
    }

    [Fact]
    public async Task Transient_object_store_failures_are_retried()
    {
        await Write("t,h=a v=1 1\nt,h=b v=2 2");
        _faults.FailNext(ObjectStoreOperation.Put, 2);
        var result = await _persister.PersistAsync();
        Assert.Equal(1, result.Files);
        Assert.Equal(2, _faults.InjectedCount);
        Assert.Equal(0, _buffer.RowCount);
        Assert.Equal(["1|a|1", "2|b|2"], await Read());
    }

    [Fact]
    public async Task When_the_store_keeps_failing_the_rows_stay_in_the_buffer_and_the_wal()
    {
        await Write("t,h=a v=1 1");
        await Write("t,h=a v=2 2");
        // The segments holding the two writes (the WAL may open a fresh one after an ack, so compare paths, not counts).
        var written = _wal.Segments.Where(s => s.LastSequence >= 1).Select(s => s.Path).ToList();
        Assert.NotEmpty(written);
        _faults.FailNext(ObjectStoreOperation.Put, 100);
        await Assert.ThrowsAnyAsync<ObjectStoreException>(() => _persister.PersistAsync());
        Assert.Equal(2, _buffer.RowCount);
        Assert.Subset(_wal.Segments.Select(s => s.Path).ToHashSet(), written.ToHashSet());
        Assert.Empty(_catalog.Current.Files);
        Assert.Equal(["1|a|1", "2|a|2"], await Read());

        _faults.Reset();
        var result = await _persister.PersistAsync();
        Assert.Equal(1, result.Files);
        Assert.Equal(0, _buffer.RowCount);
        Assert.DoesNotContain(written[0], _wal.Segments.Select(s => s.Path));   // the closed segment of the first write is gone
        Assert.Equal(["1|a|1", "2|a|2"], await Read());
    }

    [Fact]
    public async Task Files_left_by_a_failed_publish_are_removed_as_orphans()
    {
        await Write("t,h=a v=1 1");
        // The file is written, then every catalog write fails: nothing is published, the file is an orphan.
        _faults.FailNext(ObjectStoreOperation.PutIfAbsent, 100);
        await Assert.ThrowsAnyAsync<Exception>(() => _persister.PersistAsync());
        _faults.Reset();
        var orphans = 0;
        await foreach (var meta in _memory.ListAsync(ObjectPaths.DataPrefix))
        {
            orphans++;
        }
        Assert.True(orphans >= 1);
        Assert.Equal(orphans, await _persister.DeleteOrphansAsync());
        await foreach (var _ in _memory.ListAsync(ObjectPaths.DataPrefix))
        {
            Assert.Fail("an orphan is left");
        }
        Assert.Equal(["1|a|1"], await Read());
    }
}
#pragma warning restore CA1001
