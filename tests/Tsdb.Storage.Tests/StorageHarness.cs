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

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The storage services over a real WAL, an in-memory object store with injected faults (behind retries that do not
/// wait) and a clock the test sets, composed as <c>tsdb serve</c> composes them.
/// </summary>
internal sealed class StorageHarness : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-storage-").FullName;

    public StorageHarness(StorageOptions? options = null, DateTimeOffset? now = null)
    {
        Options = options ?? new StorageOptions();
        Time = new ManualTime(now ?? DateTimeOffset.UnixEpoch.AddDays(2));
        Faults = new FaultInjectingObjectStore(Memory, seed: 7);
        Store = new RetryingObjectStore(Faults, RetryPolicy.Default with { MaxAttempts = 3, Delay = (_, _) => Task.CompletedTask });
        Catalog = new Catalog.Catalog(new ObjectStoreCatalogStore(Store));
        Buffer = new WriteBuffer(1L << 30, Time);
        Wal = WriteAheadLog.Open(new WalOptions { Directory = _dir, SegmentBytes = 1 }, Buffer);
        var writer = new ParquetFileWriter(Store, Options, Time);
        Persist = new PersistService(Catalog, Buffer, Wal, writer, Options);
        Compactor = new Compactor(Catalog, Store, writer, Gate, Options, Time);
        Retention = new RetentionService(Catalog, Buffer, Store, writer, Gate, Options, Time);
        Deletion = new DeletionService(Catalog, Buffer, Store, Options, Time);
        Ingester = new LineProtocolIngester(Catalog, Wal, Time, () => false);
        Tables = new StorageTableSource(Catalog, Buffer, new ParquetFiles(Memory), Time);
        Deleter = new Deletes.RowDeleter(Catalog, Wal, Time);
    }

    public Deletes.RowDeleter Deleter { get; }

    public StorageOptions Options { get; }

    public ManualTime Time { get; }

    public InMemoryObjectStore Memory { get; } = new();

    public FaultInjectingObjectStore Faults { get; }

    public IObjectStore Store { get; }

    public Catalog.Catalog Catalog { get; }

    public WriteBuffer Buffer { get; }

    public WriteAheadLog Wal { get; }

    public FileRewriteGate Gate { get; } = new();

    public PersistService Persist { get; }

    public Compactor Compactor { get; }

    public RetentionService Retention { get; }

    public DeletionService Deletion { get; }

    public LineProtocolIngester Ingester { get; }

    public StorageTableSource Tables { get; }

    public async ValueTask DisposeAsync()
    {
        Persist.Dispose();
        Gate.Dispose();
        await Wal.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public async Task<WriteOutcome> WriteAsync(string lines, string db = "db") =>
        await Ingester.WriteAsync(new WriteRequest(db, Encoding.UTF8.GetBytes(lines)));

    public async Task Write(string lines, string db = "db") => Assert.True((await WriteAsync(lines, db)).IsCompleteSuccess, lines);

    /// <summary>Every row of the table as export reads it, columns joined by '|'.</summary>
    public async Task<List<string>> Read(string table = "t", string db = "db")
    {
        var rows = new List<string>();
        await foreach (var batch in Tables.ScanSortedAsync(new ScanRequest(db, table)))
        {
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.GetObject(i)?.ToString() ?? "null")));
            }
        }
        return rows;
    }

    public async Task<List<(string Columns, string Row)>> Scan(ScanRequest request)
    {
        var rows = new List<(string, string)>();
        await foreach (var batch in Tables.ScanAsync(request))
        {
            var names = string.Join(',', batch.Schema.Fields.Select(f => f.Name));
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add((names, string.Join('|', batch.Columns.Select(c => c.GetObject(i)?.ToString() ?? "null"))));
            }
        }
        return rows;
    }

    /// <summary>The times of every row the catalog's files hold, read from the objects themselves (no retention applied).</summary>
    public async Task<List<long>> TimesInFiles(string table = "t")
    {
        var times = new List<long>();
        foreach (var file in Catalog.Current.FilesOf("db", table))
        {
            var reader = await Parquet.Reading.ParquetReader.OpenAsync(new ObjectStoreSource(Memory, file.Path, file.SizeBytes), new Parquet.Reading.ParquetReadOptions());
            await foreach (var batch in reader.ReadAsync(null, null))
            {
                var column = (Arrow.Arrays.TimestampArray)batch.Column(TableDefinition.TimeColumn)!;
                for (var i = 0; i < batch.Length; i++)
                {
                    times.Add(column.GetValue(i));
                }
            }
        }
        times.Sort();
        return times;
    }

    public async Task<List<string>> ObjectKeys()
    {
        var keys = new List<string>();
        await foreach (var meta in Memory.ListAsync(ObjectPaths.DataPrefix))
        {
            keys.Add(meta.Key);
        }
        return keys;
    }

    public Task<bool> SetRetention(TimeSpan? database, string? table = null, TimeSpan? tableRetention = null) => Catalog.UpdateAsync(e =>
    {
        e.SetRetention("db", database);
        if (table is not null)
        {
            Assert.True(e.SetTableRetention("db", table, tableRetention));
        }
        return true;
    });
}
