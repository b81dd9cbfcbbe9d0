using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Flight.Tests;

/// <summary>A small batch shaped like a table of this database: time, a tag (dictionary) and fields.</summary>
internal static class Batches
{
    public static RecordBatch Cpu(int rows)
    {
        using var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var host = new DictionaryArrayBuilder();
        using var usage = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var count = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        for (var i = 0; i < rows; i++)
        {
            time.Append(1_700_000_000_000_000_000L + i);
            host.Append(i % 5 == 4 ? null : $"h{i % 3}");
            if (i % 7 == 6)
            {
                usage.AppendNull();
            }
            else
            {
                usage.Append(i / 4.0);
            }
            count.Append(i);
        }
        var schema = new Schema(
        [
            new Field("time", ArrowType.TimestampNanosecond, false),
            new Field("host", ArrowType.DictionaryUtf8),
            new Field("usage", ArrowType.Float64),
            new Field("count", ArrowType.Int64),
        ]);
        return new RecordBatch(schema, [time.Build(), host.Build(), usage.Build(), count.Build()], rows);
    }
}
