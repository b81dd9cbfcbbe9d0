using BenchmarkDotNet.Attributes;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;

namespace Tsdb.Benchmarks.Arrow;

/// <summary>
/// 1,000,000-row TSBS-cpu-shaped batches: building them, writing the IPC stream and reading it back (from memory,
/// zero-copy, with full validation). Throughput = bytes of the stream / time.
/// </summary>
[MemoryDiagnoser]
public class IpcBenchmarks
{
    private const int Rows = 1_000_000;
    private byte[][][] _tags = [];
    private double[] _fields = [];
    private RecordBatch _batch = null!;
    private byte[] _stream = [];
    private byte[] _zstdStream = [];
    private MemoryStream _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tags = CpuBatches.TagValues(hosts: 1000);
        var random = new Random(1);
        _fields = [.. Enumerable.Range(0, 4096).Select(_ => random.NextDouble() * 100)];
        _batch = CpuBatches.Build(Rows, _tags, _fields);
        _stream = ArrowStreamWriter.ToBytes(CpuBatches.Schema, [_batch]);
        _zstdStream = ArrowStreamWriter.ToBytes(CpuBatches.Schema, [_batch], new IpcWriteOptions { Compression = IpcCompression.Zstd });
        _sink = new MemoryStream(_stream.Length + 4096);
        Console.WriteLine($"// stream bytes: {_stream.Length:N0}; zstd stream bytes: {_zstdStream.Length:N0}");
    }

    [Benchmark(Description = "build 1M cpu rows (builders)")]
    public int Build()
    {
        using var batch = CpuBatches.Build(Rows, _tags, _fields);
        return batch.Length;
    }

    [Benchmark(Description = "write IPC stream (1M rows)")]
    public long Write()
    {
        _sink.Position = 0;
        using var writer = new ArrowStreamWriter(_sink, CpuBatches.Schema, leaveOpen: true);
        writer.WriteBatch(_batch);
        writer.Finish();
        return _sink.Position;
    }

    [Benchmark(Description = "read IPC stream from memory (1M rows)")]
    public int Read()
    {
        using var reader = new ArrowStreamReader(_stream);
        return reader.ReadNextBatch()!.Length;
    }

    [Benchmark(Description = "write IPC stream, zstd (1M rows)")]
    public long WriteZstd()
    {
        _sink.Position = 0;
        using var writer = new ArrowStreamWriter(_sink, CpuBatches.Schema, new IpcWriteOptions { Compression = IpcCompression.Zstd }, leaveOpen: true);
        writer.WriteBatch(_batch);
        writer.Finish();
        return _sink.Position;
    }

    [Benchmark(Description = "read IPC stream, zstd (1M rows)")]
    public int ReadZstd()
    {
        using var reader = new ArrowStreamReader(_zstdStream);
        return reader.ReadNextBatch()!.Length;
    }
}
