using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query.Chunks;
using Tsdb.Testing;

namespace Tsdb.Query.Tests.Chunks;

/// <summary>The engine's chunk over plain batches (what test and embedded sources hand over).</summary>
public sealed class StreamChunkConformance : QueryChunkConformance
{
    private static readonly Schema Cpu = new([
        new Field("host", ArrowType.DictionaryUtf8),
        new Field("region", ArrowType.DictionaryUtf8),
        new Field("time", ArrowType.TimestampNanosecond, false),
        new Field("usage", ArrowType.Float64),
        new Field("n", ArrowType.Int64),
    ]);

    protected override Task<IQueryChunk> CreateChunkAsync(IReadOnlyList<TestPoint> points)
    {
        using var host = new DictionaryArrayBuilder();
        using var region = new DictionaryArrayBuilder();
        using var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var usage = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var n = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        foreach (var p in points)
        {
            host.Append(p.Host);
            region.Append(p.Region);
            time.Append(p.Time);
            usage.Append(p.Usage);
            n.Append(p.N);
        }
        var batch = new RecordBatch(Cpu, [host.Build(), region.Build(), time.Build(), usage.Build(), n.Build()], points.Count);
        // The chunk hands over whole batches; a projection is the reader's to apply, so this one narrows as asked.
        return Task.FromResult<IQueryChunk>(new StreamChunk(Cpu, (read, _) => new[] { Project(batch, read.Columns) }.ToAsyncEnumerable()));
    }

    private static RecordBatch Project(RecordBatch batch, IReadOnlyList<string>? columns)
    {
        if (columns is null)
        {
            return batch;
        }
        var indices = columns.Select(c => batch.Schema.GetFieldIndex(c)).Where(i => i >= 0).ToList();
        return new RecordBatch(new Schema([.. indices.Select(i => batch.Schema[i])]), [.. indices.Select(batch.Column)], batch.Length);
    }
}
