using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Testing;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>The tests' in-memory source: whole rows, no pruning, one batch per table and day.</summary>
public sealed class MemoryTableSourceConformance : TableSourceConformance
{
    private static readonly Schema PointSchema = new([
        new Field("host", ArrowType.DictionaryUtf8),
        new Field("region", ArrowType.DictionaryUtf8),
        new Field("time", ArrowType.TimestampNanosecond, false),
        new Field("usage", ArrowType.Float64),
        new Field("n", ArrowType.Int64),
    ]);

    protected override Task<ITableSource> CreateSourceAsync(IReadOnlyList<TestPoint> points)
    {
        var source = new MemoryTableSource();
        foreach (var table in points.GroupBy(p => p.Table))
        {
            source.Add(table.Key, PointSchema, [.. table.GroupBy(p => p.Time / (86_400L * 1_000_000_000L)).Select(day => Batch([.. day]))]);
        }
        return Task.FromResult<ITableSource>(source);
    }

    private static RecordBatch Batch(IReadOnlyList<TestPoint> points)
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
        return new RecordBatch(PointSchema, [host.Build(), region.Build(), ArrowArray.Create(time.BuildData()), ArrowArray.Create(usage.BuildData()), ArrowArray.Create(n.BuildData())], points.Count);
    }
}
