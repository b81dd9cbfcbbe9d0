using BenchmarkDotNet.Attributes;

namespace Tsdb.Benchmarks.Compression;

/// <summary>
/// Snappy blocks as the product codes them (Tsdb.Core's Snappy, over Snappier), on the two kinds of block the server
/// handles: a 1 MiB Parquet page of random-walk int64 values, and a remote-write-like body of repeated label text.
/// Commit 801b784 has this benchmark with our former decoder beside Snappier's (docs/performance.md, Parquet).
/// </summary>
[MemoryDiagnoser]
public class SnappyBenchmarks
{
    private byte[] _compressed = [];
    private byte[] _output = [];
    private byte[] _scratch = [];

    [Params("page", "labels")]
    public string Data { get; set; } = "page";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        var raw = new byte[1 << 20];
        if (Data == "page")
        {
            long value = 1_000;
            for (var i = 0; i < raw.Length; i += 8)
            {
                value += random.Next(-3, 4);
                BitConverter.TryWriteBytes(raw.AsSpan(i), value);
            }
        }
        else
        {
            var at = 0;
            while (at < raw.Length)
            {
                var text = System.Text.Encoding.UTF8.GetBytes($"__name__node_cpu_seconds_total instance host-{random.Next(500)}:9100 job node mode {random.Next(8)} {random.NextDouble()}");
                var n = Math.Min(text.Length, raw.Length - at);
                text.AsSpan(0, n).CopyTo(raw.AsSpan(at));
                at += n;
            }
        }
        _compressed = new byte[Tsdb.Core.Compression.Snappy.GetMaxCompressedLength(raw.Length)];
        _compressed = _compressed[..Tsdb.Core.Compression.Snappy.Compress(raw, _compressed)];
        _output = new byte[raw.Length];
        raw.CopyTo(_output);
        _scratch = new byte[Tsdb.Core.Compression.Snappy.GetMaxCompressedLength(raw.Length)];
        Console.WriteLine($"// {Data}: {raw.Length:N0} -> {_compressed.Length:N0} bytes");
    }

    [Benchmark(Description = "decompress")]
    public int Decompress() => Tsdb.Core.Compression.Snappy.Decompress(_compressed, _output);

    [Benchmark(Description = "compress")]
    public int Compress() => Tsdb.Core.Compression.Snappy.Compress(_output, _scratch);
}
