using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Benchmarks.Arrow;

/// <summary>Batches shaped like the TSBS cpu table: time, 10 dictionary-encoded tags, 10 float64 fields.</summary>
public static class CpuBatches
{
    public static readonly string[] Tags = ["hostname", "region", "datacenter", "rack", "os", "arch", "team", "service", "service_version", "service_environment"];

    public static readonly string[] Fields = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"];

    public static Schema Schema { get; } = new(
        [
            new Field("time", ArrowType.TimestampNanosecond, nullable: false),
            .. Tags.Select(t => new Field(t, ArrowType.DictionaryUtf8)),
            .. Fields.Select(f => new Field(f, ArrowType.Float64)),
        ]);

    /// <summary>Pre-encoded tag strings, so building measures the builders and not string formatting.</summary>
    public static byte[][][] TagValues(int hosts) =>
        [.. Tags.Select(t => Enumerable.Range(0, hosts).Select(h => System.Text.Encoding.UTF8.GetBytes($"{t}_{h}")).ToArray())];

    public static RecordBatch Build(int rows, byte[][][] tagValues, double[] fieldValues)
    {
        var columns = new ArrowArray[1 + Tags.Length + Fields.Length];
        using (var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond))
        {
            time.Reserve(rows);
            for (var i = 0; i < rows; i++)
            {
                time.Append(1_451_606_400_000_000_000 + (i * 10_000_000_000L));
            }
            columns[0] = time.Build();
        }
        for (var t = 0; t < Tags.Length; t++)
        {
            using var b = new DictionaryArrayBuilder();
            var values = tagValues[t];
            for (var i = 0; i < rows; i++)
            {
                b.Append(values[i % values.Length]);
            }
            columns[1 + t] = b.Build();
        }
        for (var f = 0; f < Fields.Length; f++)
        {
            using var b = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
            b.Reserve(rows);
            for (var i = 0; i < rows; i++)
            {
                b.Append(fieldValues[(i + f) % fieldValues.Length]);
            }
            columns[1 + Tags.Length + f] = b.Build();
        }
        return new RecordBatch(Schema, columns, rows);
    }
}
