using System.Text;
using Tsdb.Catalog;
using Tsdb.Ingest;
using Tsdb.ObjectStore;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Persistence;
using Tsdb.Testing;
using Tsdb.Wal;

namespace Tsdb.Storage.Tests;

/// <summary>Points written through a real catalog, WAL and write buffer, optionally persisted to Parquet in memory.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public abstract class StoredChunkConformance : QueryChunkConformance, IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-chunk-conformance-").FullName;
    private readonly List<IDisposable> _persisters = [];
    private readonly List<WriteAheadLog> _wals = [];

    protected InMemoryObjectStore Store { get; } = new();

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

    protected async Task<(Catalog.Catalog Catalog, WriteBuffer Buffer, PersistService Persister)> WriteAsync(IReadOnlyList<TestPoint> points)
    {
        var catalog = new Catalog.Catalog(new ObjectStoreCatalogStore(Store));
        var buffer = new WriteBuffer(1L << 30);
        var wal = WriteAheadLog.Open(new WalOptions { Directory = Path.Combine(_dir, Guid.NewGuid().ToString("N")) }, buffer);
        _wals.Add(wal);
        var persister = new PersistService(catalog, buffer, wal, new ParquetFileWriter(Store, new StorageOptions(), TimeProvider.System), new StorageOptions());
        _persisters.Add(persister);
        var ingester = new LineProtocolIngester(catalog, wal, TimeProvider.System, () => false);
        var lines = string.Join('\n', points.Select(p => p.ToLineProtocol()));
        Assert.True((await ingester.WriteAsync(new WriteRequest("db", Encoding.UTF8.GetBytes(lines)))).IsCompleteSuccess, lines);
        return (catalog, buffer, persister);
    }
}
#pragma warning restore CA1001

/// <summary>The rows of one WAL record in the write buffer.</summary>
public sealed class BufferChunkConformance : StoredChunkConformance
{
    protected override bool KeepsTagTimes => true;

    protected override async Task<IQueryChunk> CreateChunkAsync(IReadOnlyList<TestPoint> points)
    {
        var (_, buffer, _) = await WriteAsync(points);
        return new BufferChunk(Assert.Single(buffer.Snapshot("db", "cpu")));
    }
}

/// <summary>A persisted Parquet file; its data goes away when the object is deleted.</summary>
public sealed class ParquetChunkConformance : StoredChunkConformance
{
    protected override bool KeepsTagTimes => true;

    protected override async Task<IQueryChunk> CreateChunkAsync(IReadOnlyList<TestPoint> points)
    {
        var (catalog, _, persister) = await WriteAsync(points);
        await persister.PersistAsync();
        return new ParquetChunk(Assert.Single(catalog.Current.Files), new ParquetFiles(Store));
    }

    protected override async Task<bool> RemoveDataAsync(IQueryChunk chunk)
    {
        await Store.DeleteAsync(((ParquetChunk)chunk).File.Path);
        return true;
    }
}
