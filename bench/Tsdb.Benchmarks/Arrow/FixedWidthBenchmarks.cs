using BenchmarkDotNet.Attributes;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;

namespace Tsdb.Benchmarks.Arrow;

/// <summary>
/// Fixed-width columns only (time + 10 float64 = 88 MB for 1M rows): the encode/decode path that should run at
/// memory-bandwidth speed. Throughput = 88 MB / time.
/// </summary>
[MemoryDiagnoser]
public class FixedWidthBenchmarks
{
    private const int Rows = 1_000_000;
    private Schema _schema = null!;
    private RecordBatch _batch = null!;
    private byte[] _stream = [];
    private MemoryStream _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _schema = new Schema([new Field("time", ArrowType.TimestampNanosecond, false), .. CpuBatches.Fields.Select(f => new Field(f, ArrowType.Float64))]);
        var columns = new List<ArrowArray>();
        using (var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond))
        {
            for (var i = 0; i < Rows; i++)
            {
                time.Append(1_451_606_400_000_000_000 + (i * 10_000_000_000L));
            }
            columns.Add(time.Build());
        }
        var random = new Random(2);
        foreach (var _ in CpuBatches.Fields)
        {
            using var b = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
            for (var i = 0; i < Rows; i++)
            {
                b.Append(random.NextDouble());
            }
            columns.Add(b.Build());
        }
        _batch = new RecordBatch(_schema, columns, Rows);
        _stream = ArrowStreamWriter.ToBytes(_schema, [_batch]);
        _sink = new MemoryStream(_stream.Length + 4096);
    }

    [Benchmark(Description = "append 1M float64 (builder)")]
    public int AppendFloats()
    {
        using var b = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        for (var i = 0; i < Rows; i++)
        {
            b.Append(i);
        }
        using var array = b.Build();
        return array.Length;
    }

    [Benchmark(Description = "encode 88 MB fixed-width batch")]
    public long Encode()
    {
        _sink.Position = 0;
        using var writer = new ArrowStreamWriter(_sink, _schema, leaveOpen: true);
        writer.WriteBatch(_batch);
        return _sink.Position;
    }

    [Benchmark(Description = "decode 88 MB fixed-width batch")]
    public double Decode()
    {
        using var reader = new ArrowStreamReader(_stream);
        var batch = reader.ReadNextBatch()!;
        return ((DoubleArray)batch.Column(1)).Values[Rows - 1];
    }
}
