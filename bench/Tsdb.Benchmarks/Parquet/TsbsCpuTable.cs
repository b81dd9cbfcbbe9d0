using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Benchmarks.Parquet;

/// <summary>
/// The TSBS cpu table as it arrives through line protocol: time, 10 dictionary tags (1,000 hosts, each with fixed
/// tag values), 10 integer usage fields that drift like TSBS's random walks; sorted by host then time, as a
/// persisted partition is.
/// </summary>
public static class TsbsCpuTable
{
    private static readonly string[] Tags = ["hostname", "region", "datacenter", "rack", "os", "arch", "team", "service", "service_version", "service_environment"];
    private static readonly string[] Fields = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"];

    public static Schema Schema { get; } = new(
    [
        .. Tags.Select(t => new Field(t, ArrowType.DictionaryUtf8)),
        new Field("time", ArrowType.TimestampNanosecond, nullable: false),
        .. Fields.Select(f => new Field(f, ArrowType.Int64)),
    ]);

    public static RecordBatch Build(int rows, int hosts = 1000)
    {
        var random = new Random(42);
        var hostTags = Enumerable.Range(0, hosts).Select(h => Tags.Select((t, i) => i == 0 ? $"host_{h}" : $"{t}_{random.Next(i * 3 + 2)}").ToArray()).ToArray();
        var perHost = rows / hosts;
        var tagBuilders = Tags.Select(_ => new DictionaryArrayBuilder()).ToArray();
        using var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        var fieldBuilders = Fields.Select(_ => new PrimitiveArrayBuilder<long>(ArrowType.Int64)).ToArray();
        for (var h = 0; h < hosts; h++)
        {
            var state = Fields.Select(_ => (long)random.Next(100)).ToArray();
            for (var i = 0; i < perHost; i++)
            {
                for (var t = 0; t < Tags.Length; t++)
                {
                    tagBuilders[t].Append(hostTags[h][t]);
                }
                time.Append(1_451_606_400_000_000_000 + (i * 10_000_000_000L));
                for (var f = 0; f < Fields.Length; f++)
                {
                    state[f] = Math.Clamp(state[f] + random.Next(-3, 4), 0, 100);
                    fieldBuilders[f].Append(state[f]);
                }
            }
        }
        var columns = new List<ArrowArray>();
        columns.AddRange(tagBuilders.Select(b => (ArrowArray)b.Build()));
        columns.Add(time.Build());
        columns.AddRange(fieldBuilders.Select(b => (ArrowArray)b.Build()));
        foreach (var b in tagBuilders)
        {
            b.Dispose();
        }
        foreach (var b in fieldBuilders)
        {
            b.Dispose();
        }
        return new RecordBatch(Schema, columns, perHost * hosts);
    }
}
