using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Tsdb.Core.Compression;

namespace Tsdb.Benchmarks.Compression;

/// <summary>
/// The system's libzstd (what the product uses, through Tsdb.Core's Zstd) against ZstdSharp.Port, the managed port
/// (here through Apache.Arrow.Compression), at level 3 on blocks shaped like ours: a 64 KiB page of random-walk
/// float64 values, a 64 KiB page of int64 timestamps at 10 s steps, a 32 KiB page of dictionary indices over 1,000
/// hosts, and a 1 MiB Arrow-body-sized block of floats. The decision it backs is in docs/dependencies.md.
/// </summary>
[MemoryDiagnoser]
public class ZstdBenchmarks
{
    private readonly ZstdSharp.Compressor _managedCompressor = new(Zstd.DefaultLevel);
    private readonly ZstdSharp.Decompressor _managedDecompressor = new();
    private byte[] _raw = [];
    private byte[] _compressed = [];
    private byte[] _destination = [];
    private byte[] _output = [];

    [Params("float page", "time page", "index page", "float body")]
    public string Data { get; set; } = "float page";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        switch (Data)
        {
            case "float page" or "float body":
                var floats = new double[Data == "float page" ? 8192 : 131072];
                double value = 50;
                for (var i = 0; i < floats.Length; i++)
                {
                    value += random.NextDouble() - 0.5;
                    floats[i] = Math.Round(value, 2);
                }
                _raw = MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
                break;
            case "time page":
                var times = new long[8192];
                for (var i = 0; i < times.Length; i++)
                {
                    times[i] = 1_700_000_000_000_000_000L + (i * 10_000_000_000L);
                }
                _raw = MemoryMarshal.AsBytes(times.AsSpan()).ToArray();
                break;
            default:
                var indices = new int[8192];
                for (var i = 0; i < indices.Length; i++)
                {
                    indices[i] = i % 1000;
                }
                _raw = MemoryMarshal.AsBytes(indices.AsSpan()).ToArray();
                break;
        }
        _destination = new byte[Zstd.MaxCompressedLength(_raw.Length)];
        _compressed = _destination.AsSpan(0, Zstd.Compress(_raw, _destination)).ToArray();
        _output = new byte[_raw.Length];
    }

    [Benchmark(Baseline = true)]
    public int CompressNative() => Zstd.Compress(_raw, _destination);

    [Benchmark]
    public int CompressManaged() => _managedCompressor.Wrap(_raw, _destination);

    [Benchmark]
    public int DecompressNative() => Zstd.Decompress(_compressed, _output);

    [Benchmark]
    public int DecompressManaged() => _managedDecompressor.Unwrap(_compressed, _output, 0);
}
