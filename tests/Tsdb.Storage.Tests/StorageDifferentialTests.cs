using System.Globalization;
using System.Text;
using Tsdb.Core.Deletes;
using Tsdb.Ingest;
using Tsdb.ObjectStore;
using Tsdb.Query;
using Tsdb.Query.Sql;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Deletes;
using Tsdb.Storage.Persistence;
using Tsdb.Wal;
using Xunit.Abstractions;

namespace Tsdb.Storage.Tests;

/// <summary>
/// Random writes, row deletes, persists, compactions and restarts (catalog reloaded from the object store, WAL
/// replayed) interleaved; after every step a SQL query over storage must equal a plain in-memory model of the points
/// (later non-null field values win; a delete removes the points written before it). Fixed seeds; set
/// TSDB_DIFFERENTIAL_STEPS for a longer run by hand.
/// </summary>
public sealed class StorageDifferentialTests(ITestOutputHelper output)
{
    /// <summary>The storage services over one WAL directory and one object store; restartable.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly string _wal;
        private readonly IObjectStore _store;
        private readonly long _target;

        public Node(string wal, IObjectStore store, long targetFileBytes)
        {
            _wal = wal;
            _store = store;
            _target = targetFileBytes;
            Catalog = new Catalog.Catalog(new Catalog.ObjectStoreCatalogStore(store));
            var buffer = new WriteBuffer(1L << 30);
            buffer.SkipThrough(Catalog.Current.PersistedSequence);
            Wal = WriteAheadLog.Open(new WalOptions { Directory = wal, SegmentBytes = 4096, SequenceFloor = Catalog.Current.PersistedSequence }, buffer);
            // A target of a few kilobytes: compactions split into several files, small ones (level 1) are merged
            // again into level 2, and a budget of two open files makes a split take several passes.
            var options = new StorageOptions { CompactionTargetFileBytes = targetFileBytes, CompactionMemoryBudget = 2 * StorageOptions.CompactionBytesPerOpenFile };
            var writer = new ParquetFileWriter(store, options, TimeProvider.System);
            Persist = new PersistService(Catalog, buffer, Wal, writer, options);
            Compactor = new Compactor(Catalog, store, writer, Gate, options, TimeProvider.System);
            Ingester = new LineProtocolIngester(Catalog, Wal, TimeProvider.System, () => false);
            Deleter = new RowDeleter(Catalog, Wal, TimeProvider.System);
            Sql = new SqlEngine(new QueryExecutor(new StorageTableSource(Catalog, buffer, new ParquetFiles(store)), TimeProvider.System));
        }

        public Catalog.Catalog Catalog { get; }
        public WriteAheadLog Wal { get; }
        public FileRewriteGate Gate { get; } = new();
        public PersistService Persist { get; }
        public Compactor Compactor { get; }
        public LineProtocolIngester Ingester { get; }
        public RowDeleter Deleter { get; }
        public SqlEngine Sql { get; }

        public async Task<Node> RestartAsync()
        {
            await DisposeAsync();
            return new Node(_wal, _store, _target);
        }

        public async ValueTask DisposeAsync()
        {
            Persist.Dispose();
            Gate.Dispose();
            await Wal.DisposeAsync();
        }
    }

    private sealed record Point(double? F1, long? F2);

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 12)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Sql_answers_equal_the_model_after_every_step(int seed)
    {
        var steps = int.TryParse(Environment.GetEnvironmentVariable("TSDB_DIFFERENTIAL_STEPS"), out var n) ? n : 40;
        var dir = Directory.CreateTempSubdirectory("tsdb-differential-").FullName;
        var store = new InMemoryObjectStore();
        var node = new Node(dir, store, 1500 + (seed * 150));
        try
        {
            var random = new Random(seed);
            var model = new SortedDictionary<(string Host, long Time), Point>();
            var log = new List<string>();
            var levels = new HashSet<int>();
            // Both fields exist from the start, so the query names columns the table has.
            Assert.True((await node.Ingester.WriteAsync(new WriteRequest("db", "t,host=h0 f1=0.5,f2=0i 1000"u8.ToArray()))).IsCompleteSuccess);
            model[("h0", 1000)] = new Point(0.5, 0);
            for (var step = 0; step < steps; step++)
            {
                var op = random.Next(10);
                if (op < 5)
                {
                    var lines = new StringBuilder();
                    for (var i = 0; i < 1 + random.Next(8); i++)
                    {
                        var host = "h" + random.Next(4);
                        var time = (long)random.Next(40);
                        double? f1 = random.Next(3) == 0 ? null : random.Next(100) / 4.0;
                        long? f2 = f1 is null || random.Next(2) == 0 ? random.Next(1000) : null;
                        var fields = string.Join(',', new[] { f1 is { } a ? FormattableString.Invariant($"f1={a}") : null, f2 is { } b ? $"f2={b}i" : null }.OfType<string>());
                        lines.Append(CultureInfo.InvariantCulture, $"t,host={host} {fields} {time}\n");
                        var old = model.GetValueOrDefault((host, time));
                        model[(host, time)] = new Point(f1 ?? old?.F1, f2 ?? old?.F2);
                    }
                    var outcome = await node.Ingester.WriteAsync(new WriteRequest("db", Encoding.UTF8.GetBytes(lines.ToString())));
                    Assert.True(outcome.IsCompleteSuccess);
                    log.Add("write " + lines.ToString().Replace('\n', ';'));
                }
                else if (op == 5)
                {
                    string? host = random.Next(3) == 0 ? null : "h" + random.Next(4);
                    long from = random.Next(40), to = from + random.Next(20);
                    var terms = host is null ? Array.Empty<DeleteTerm>() : [DeleteTerm.Of("host", DeleteOperator.Equal, host)];
                    await node.Deleter.DeleteAsync("db", "t", new DeletePredicate(from, to, terms));
                    foreach (var key in model.Keys.Where(k => (host is null || k.Host == host) && k.Time >= from && k.Time <= to).ToList())
                    {
                        model.Remove(key);
                    }
                    log.Add($"delete host={host ?? "*"} time in [{from}, {to}]");
                }
                else if (op is 6 or 7)
                {
                    await node.Persist.PersistAsync();
                    log.Add("persist");
                }
                else if (op == 8)
                {
                    var result = await node.Compactor.CompactAsync(minFiles: 2);
                    var files = node.Catalog.Current.Files;
                    log.Add($"compact: {result.FilesRemoved} files into {result.FilesWritten}; now levels {string.Join(',', files.OrderBy(f => f.MinTime).Select(f => $"L{f.Level}[{f.MinTime},{f.MaxTime}]{f.SizeBytes}B"))}");
                    levels.UnionWith(files.Select(f => f.Level));
                    CompactionInvariants.Check(files, string.Join('\n', log));
                }
                else
                {
                    node = await node.RestartAsync();
                    log.Add("restart");
                }

                var expected = model.Select(p => $"{p.Key.Host}|{p.Key.Time}|{Text(p.Value.F1)}|{Text(p.Value.F2)}").ToList();
                var actual = await Rows(node.Sql);
                Assert.True(expected.SequenceEqual(actual), $"seed {seed}, after step {step}:\n{string.Join('\n', log)}\nexpected:\n{string.Join('\n', expected)}\nactual:\n{string.Join('\n', actual)}");
            }
            output.WriteLine($"seed {seed}: compactions left files of levels {string.Join(',', levels.Order())}\n{string.Join('\n', log.Where(l => l.StartsWith("compact", StringComparison.Ordinal)))}");
        }
        finally
        {
            await node.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static async Task<List<string>> Rows(SqlEngine sql)
    {
        var result = await sql.ExecuteAsync("db", "SELECT host, CAST(time AS BIGINT) AS t, f1, f2 FROM t ORDER BY host, time", CancellationToken.None);
        var rows = new List<string>();
        foreach (var batch in result.Batches)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => Text(c.GetObject(i)))));
            }
        }
        return rows;
    }
}
