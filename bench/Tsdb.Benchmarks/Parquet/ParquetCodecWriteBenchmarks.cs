using BenchmarkDotNet.Attributes;
using Tsdb.Arrow.Arrays;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Writing;

namespace Tsdb.Benchmarks.Parquet;

/// <summary>
/// Writing 2,000,000 TSBS cpu rows with each page codec we write: what a persist of a large partition costs in time
/// and allocation per codec (SNAPPY used to allocate a new array per page).
/// </summary>
[MemoryDiagnoser]
public class ParquetCodecWriteBenchmarks
{
    private const int Rows = 2_000_000;
    private RecordBatch _batch = null!;
    private MemoryStream _sink = null!;
    private ParquetWriterOptions _options = null!;

    [Params(CompressionCodec.Zstd, CompressionCodec.Snappy, CompressionCodec.Uncompressed)]
    public CompressionCodec Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = TsbsCpuTable.Build(Rows);
        _options = new ParquetWriterOptions { Compression = Codec };
        _sink = new MemoryStream(64 << 20);
    }

    [Benchmark(Description = "write 2M cpu rows")]
    public long Write()
    {
        _sink.Position = 0;
        using var writer = new ParquetWriter(_sink, TsbsCpuTable.Schema, _options, leaveOpen: true);
        writer.WriteBatch(_batch);
        writer.Finish();
        return _sink.Position;
    }
}
