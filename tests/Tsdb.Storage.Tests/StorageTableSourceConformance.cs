using System.Text;
using Tsdb.Catalog;
using Tsdb.Ingest;
using Tsdb.ObjectStore;
using Tsdb.Query;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;
using Tsdb.Testing;
using Tsdb.Wal;

namespace Tsdb.Storage.Tests;

/// <summary>
/// Storage's <see cref="StorageTableSource"/> over a real catalog, WAL, write buffer and Parquet files in an in-memory
/// object store: the points are written in three parts, the first two persisted (files on both days and both
/// tables) and the last left in the buffer, so a scan reads several files and buffered rows.
/// </summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class StorageTableSourceConformance : TableSourceConformance, IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-source-conformance-").FullName;
    private readonly List<IDisposable> _persisters = [];
    private readonly List<WriteAheadLog> _wals = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _persisters)
        {
            p.Dispose();
        }
        foreach (var w in _wals)
        {
            await w.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    protected override async Task<ITableSource> CreateSourceAsync(IReadOnlyList<TestPoint> points)
    {
        var store = new InMemoryObjectStore();
        var catalog = new Catalog.Catalog(new ObjectStoreCatalogStore(store));
        var buffer = new WriteBuffer(1L << 30);
        var wal = WriteAheadLog.Open(new WalOptions { Directory = Path.Combine(_dir, Guid.NewGuid().ToString("N")), SegmentBytes = 1 }, buffer);
        _wals.Add(wal);
        var persister = new PersistService(catalog, buffer, wal, new ParquetFileWriter(store, new StorageOptions(), TimeProvider.System), new StorageOptions());
        _persisters.Add(persister);
        var ingester = new LineProtocolIngester(catalog, wal, TimeProvider.System, () => false);

        async Task Write(IEnumerable<TestPoint> part)
        {
            var lines = string.Join('\n', part.Select(p => p.ToLineProtocol()));
            Assert.True((await ingester.WriteAsync(new WriteRequest(Database, Encoding.UTF8.GetBytes(lines)))).IsCompleteSuccess, lines);
        }

        // Every third point per part, so each part spans both days and both tables.
        await Write(points.Where((_, i) => i % 3 == 0));
        await persister.PersistAsync();
        await Write(points.Where((_, i) => i % 3 == 1));
        await persister.PersistAsync();
        await Write(points.Where((_, i) => i % 3 == 2));
        Assert.NotEmpty(catalog.Current.Files);
        return new StorageTableSource(catalog, buffer, new ParquetFiles(store));
    }
}
