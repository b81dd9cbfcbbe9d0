using Apache.Arrow.Compression;
using BenchmarkDotNet.Attributes;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Interop;
using Tsdb.Arrow.Ipc;
using AA = Apache.Arrow;
using AI = Apache.Arrow.Ipc;

namespace Tsdb.Benchmarks.Arrow;

/// <summary>
/// Apache.Arrow (C#) beside Tsdb.Arrow on one 1,000,000-row TSBS-cpu-shaped batch: the zero-copy conversions of
/// Tsdb.Arrow.Interop in both directions, and reading a stream that Apache.Arrow wrote with ZSTD or LZ4_FRAME
/// bodies with our reader and with its own (both from memory).
/// </summary>
[MemoryDiagnoser]
public class ApacheArrowInteropBenchmarks
{
    private const int Rows = 1_000_000;
    private static readonly CompressionCodecFactory Codecs = new();
    private RecordBatch _batch = null!;
    private AA.RecordBatch _apacheBatch = null!;
    private AA.Schema _apacheSchema = null!;
    private Tsdb.Arrow.Types.Schema _schema = null!;
    private byte[] _apacheZstd = [];
    private byte[] _apacheLz4 = [];
    private byte[] _oursLz4 = [];
    private MemoryStream _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _batch = CpuBatches.Build(Rows, CpuBatches.TagValues(hosts: 1000), [.. Enumerable.Range(0, 4096).Select(_ => random.NextDouble() * 100)]);
        _schema = _batch.Schema;
        _apacheSchema = _schema.ToApacheArrow();
        _apacheBatch = _batch.ToApacheArrow(_apacheSchema);
        _apacheZstd = WriteWithApache(AI.CompressionCodecType.Zstd);
        _apacheLz4 = WriteWithApache(AI.CompressionCodecType.Lz4Frame);
        _oursLz4 = ArrowStreamWriter.ToBytes(_schema, [_batch], new IpcWriteOptions { Compression = IpcCompression.Lz4Frame });
        _sink = new MemoryStream(_oursLz4.Length * 2);
        Console.WriteLine($"// Apache.Arrow-written stream bytes: zstd {_apacheZstd.Length:N0}, lz4 {_apacheLz4.Length:N0}; ours lz4 {_oursLz4.Length:N0}");
    }

    private byte[] WriteWithApache(AI.CompressionCodecType codec)
    {
        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, _apacheSchema, leaveOpen: true, new AI.IpcOptions { CompressionCodec = codec, CompressionCodecFactory = Codecs }))
        {
            writer.WriteRecordBatch(_apacheBatch);
            writer.WriteEnd();
        }
        return stream.ToArray();
    }

    [Benchmark(Description = "Tsdb.Arrow -> Apache.Arrow batch (1M rows, zero-copy)")]
    public int ToApache() => _batch.ToApacheArrow(_apacheSchema).Length;

    [Benchmark(Description = "Apache.Arrow -> Tsdb.Arrow batch (1M rows, zero-copy)")]
    public int ToTsdb() => _apacheBatch.ToTsdbArrow(_schema).Length;

    [Benchmark(Description = "read Apache.Arrow zstd stream: Tsdb.Arrow")]
    public int ReadZstdOurs() => ReadOurs(_apacheZstd);

    [Benchmark(Description = "read Apache.Arrow zstd stream: Apache.Arrow")]
    public int ReadZstdTheirs() => ReadTheirs(_apacheZstd);

    [Benchmark(Description = "read Apache.Arrow lz4 stream: Tsdb.Arrow")]
    public int ReadLz4Ours() => ReadOurs(_apacheLz4);

    [Benchmark(Description = "read Apache.Arrow lz4 stream: Apache.Arrow")]
    public int ReadLz4Theirs() => ReadTheirs(_apacheLz4);

    [Benchmark(Description = "write lz4 stream: Tsdb.Arrow")]
    public long WriteLz4Ours()
    {
        _sink.Position = 0;
        using var writer = new ArrowStreamWriter(_sink, _schema, new IpcWriteOptions { Compression = IpcCompression.Lz4Frame }, leaveOpen: true);
        writer.WriteBatch(_batch);
        writer.Finish();
        return _sink.Position;
    }

    private static int ReadOurs(byte[] bytes)
    {
        using var reader = new ArrowStreamReader(bytes);
        return reader.ReadNextBatch()!.Length;
    }

    private static int ReadTheirs(byte[] bytes)
    {
        using var reader = new AI.ArrowStreamReader(bytes, Codecs);
        using var batch = reader.ReadNextRecordBatch();
        return batch.Length;
    }
}
