using BenchmarkDotNet.Attributes;

namespace Tsdb.Benchmarks.Compression;

/// <summary>
/// Snappy block decoding, our decoder against Snappier's, on the two kinds of block the server reads: a 1 MiB
/// Parquet page of random-walk int64 values, and a remote-write-like body of repeated label text.
/// </summary>
[MemoryDiagnoser]
public class SnappyDecodeBenchmarks
{
    private byte[] _compressed = [];
    private byte[] _output = [];

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
        _compressed = new byte[global::Snappier.Snappy.GetMaxCompressedLength(raw.Length)];
        _compressed = _compressed[..global::Snappier.Snappy.Compress(raw, _compressed)];
        _output = new byte[raw.Length];
        Console.WriteLine($"// {Data}: {raw.Length:N0} -> {_compressed.Length:N0} bytes");
    }

    [Benchmark(Baseline = true, Description = "ours")]
    public int Ours() => Tsdb.Core.Compression.Snappy.Decompress(_compressed, _output);

    [Benchmark(Description = "Snappier")]
    public int WithSnappier() => global::Snappier.Snappy.Decompress(_compressed, _output);
}
