using BenchmarkDotNet.Attributes;
using Tsdb.Catalog;
using Tsdb.Ingest;
using Tsdb.LoadGen;
using Tsdb.LineProtocol;
using Tsdb.Storage;
using Tsdb.Wal;

namespace Tsdb.Benchmarks.Ingest;

/// <summary>
/// The write path without HTTP: parse + catalog checks + Arrow batches + WAL record encode + write + fsync, for one
/// 5,000-line TSBS cpu body at a time (so one fsync per body: the worst case for group commit).
/// </summary>
[MemoryDiagnoser]
public class IngestPipelineBenchmarks
{
    private List<byte[]> _bodies = [];
    private string _dir = "";
    private WriteAheadLog _wal = null!;
    private LineProtocolIngester _ingester = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _bodies = TsbsCpu.Bodies(200_000, 5000, 1000, seed: 1);
        _dir = Directory.CreateTempSubdirectory("tsdb-bench-").FullName;
        var buffer = new WriteBuffer(long.MaxValue);
        _wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, buffer);
        _ingester = new LineProtocolIngester(new Catalog.Catalog(new InMemoryCatalogStore()), _wal, TimeProvider.System, () => false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "ingest one 5,000-line body (durable)")]
    public async Task<int> Ingest()
    {
        var body = _bodies[_next++ % _bodies.Count];
        var outcome = await _ingester.WriteAsync(new WriteRequest("bench", body) { Precision = Precision.Nanosecond });
        return outcome.LinesWritten;
    }

    [Benchmark(Description = "ingest one 5,000-line body (no_sync)")]
    public async Task<int> IngestNoSync()
    {
        var body = _bodies[_next++ % _bodies.Count];
        var outcome = await _ingester.WriteAsync(new WriteRequest("bench", body) { Precision = Precision.Nanosecond, NoSync = true });
        return outcome.LinesWritten;
    }
}
