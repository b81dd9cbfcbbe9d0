using BenchmarkDotNet.Attributes;
using Tsdb.Arrow.Arrays;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;
using Tsdb.Testing;

namespace Tsdb.Benchmarks.Parquet;

/// <summary>
/// Writing and reading 1,000,000 TSBS cpu rows (21 columns, 21 M values) as Parquet (ZSTD). Setup also prints bytes
/// per value, and the size of DuckDB's own Parquet of the same rows (it reads our file and writes it again).
/// </summary>
[MemoryDiagnoser]
public class ParquetBenchmarks
{
    private const int Rows = 1_000_000;
    private RecordBatch _batch = null!;
    private byte[] _file = [];
    private byte[] _timeOnly = [];
    private MemoryStream _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _batch = TsbsCpuTable.Build(Rows);
        _file = ParquetWriter.ToBytes(TsbsCpuTable.Schema, [_batch]);
        _sink = new MemoryStream(_file.Length * 2);
        var values = (double)Rows * TsbsCpuTable.Schema.FieldCount;
        Console.WriteLine($"// ours (ZSTD): {_file.Length:N0} bytes = {_file.Length / values:F3} bytes/value");
        var path = Path.Combine(Path.GetTempPath(), $"tsdb-bench-{Environment.ProcessId}.parquet");
        File.WriteAllBytes(path, _file);
        try
        {
            foreach (var codec in new[] { "zstd", "snappy" })
            {
                var output = NodeRunner.Run("parquet/duckdb-rewrite.mjs", path, codec).EnsureSuccess("DuckDB rewrite").StandardOutput.Trim();
                Console.WriteLine($"// DuckDB ({codec}) of the same rows: {long.Parse(output, System.Globalization.CultureInfo.InvariantCulture):N0} bytes = {long.Parse(output, System.Globalization.CultureInfo.InvariantCulture) / values:F3} bytes/value");
            }
            var snappy = ParquetWriter.ToBytes(TsbsCpuTable.Schema, [_batch], new ParquetWriterOptions { Compression = CompressionCodec.Snappy });
            Console.WriteLine($"// ours (SNAPPY): {snappy.Length:N0} bytes = {snappy.Length / values:F3} bytes/value");
        }
        finally
        {
            File.Delete(path);
        }
        var timeSchema = new Tsdb.Arrow.Types.Schema([TsbsCpuTable.Schema[10]]);
        _timeOnly = ParquetWriter.ToBytes(timeSchema, [new RecordBatch(timeSchema, [_batch.Column(10)], Rows)], new ParquetWriterOptions { Compression = CompressionCodec.Uncompressed, DeltaForIntegers = false });
    }

    [Benchmark(Description = "write 1M cpu rows (ZSTD)")]
    public long Write()
    {
        _sink.Position = 0;
        using var writer = new ParquetWriter(_sink, TsbsCpuTable.Schema, leaveOpen: true);
        writer.WriteBatch(_batch);
        writer.Finish();
        return _sink.Position;
    }

    [Benchmark(Description = "read 1M cpu rows (ZSTD)")]
    public async Task<long> Read()
    {
        var reader = await ParquetReader.OpenAsync(_file);
        long rows = 0;
        await foreach (var batch in reader.ReadAsync())
        {
            rows += batch.Length;
        }
        return rows;
    }

    [Benchmark(Description = "read 8 MB fixed-width column (PLAIN, uncompressed)")]
    public async Task<long> ReadFixedWidth()
    {
        var reader = await ParquetReader.OpenAsync(_timeOnly);
        long rows = 0;
        await foreach (var batch in reader.ReadAsync())
        {
            rows += batch.Length;
        }
        return rows;
    }
}
