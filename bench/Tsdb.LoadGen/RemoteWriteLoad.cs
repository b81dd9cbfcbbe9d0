using System.Buffers.Binary;
using System.Text;

namespace Tsdb.LoadGen;

/// <summary>
/// Prometheus remote-write 1.0 bodies (snappy block + protobuf WriteRequest) shaped like what a Prometheus scraping
/// node exporters sends: one TimeSeries per sample, 2,000 samples per request (its max_samples_per_send), series of
/// six labels across hosts, every series once per 15 s round. The protobuf is written by hand here (the messages
/// are small) so the load generator shares no code with the server. Deterministic for a given seed.
/// </summary>
internal static class RemoteWriteLoad
{
    private static readonly string[] Metrics = ["node_cpu_seconds_total", "node_memory_bytes", "node_network_receive_bytes_total", "node_disk_io_time_seconds_total", "node_load1"];
    private static readonly string[] Modes = ["idle", "user", "system", "iowait"];

    public static List<byte[]> Bodies(int samples, int samplesPerBody, int hosts, int seed, long startMs, string job)
    {
        var random = new Random(seed);
        var series = new List<(string Name, string Value)[]>();
        for (var h = 0; h < hosts; h++)
        {
            foreach (var metric in Metrics)
            {
                foreach (var mode in Modes)
                {
                    series.Add([("__name__", metric), ("instance", $"host-{h}:9100"), ("job", job), ("mode", mode), ("region", $"region-{h % 7}")]);
                }
            }
        }
        var values = new double[series.Count];
        var bodies = new List<byte[]>();
        var message = new MemoryStream();
        var inBody = 0;
        for (var i = 0; i < samples; i++)
        {
            var s = i % series.Count;
            var timestamp = startMs + ((long)(i / series.Count) * 15_000);
            values[s] += random.Next(0, 1000) / 8.0;
            WriteSeries(message, series[s], timestamp, values[s]);
            if (++inBody == samplesPerBody || i == samples - 1)
            {
                bodies.Add(Snappier.Snappy.CompressToArray(message.ToArray()));
                message.SetLength(0);
                inBody = 0;
            }
        }
        return bodies;
    }

    private static void WriteSeries(MemoryStream output, (string Name, string Value)[] labels, long timestampMs, double value)
    {
        var series = new MemoryStream();
        foreach (var (name, labelValue) in labels)
        {
            var label = new MemoryStream();
            WriteString(label, 1, name);
            WriteString(label, 2, labelValue);
            WriteBytes(series, 1, label.ToArray());
        }
        var sample = new MemoryStream();
        sample.WriteByte((1 << 3) | 1);
        Span<byte> bits = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bits, value);
        sample.Write(bits);
        sample.WriteByte(2 << 3);
        WriteVarint(sample, (ulong)timestampMs);
        WriteBytes(series, 2, sample.ToArray());
        WriteBytes(output, 1, series.ToArray());
    }

    private static void WriteString(MemoryStream output, int field, string value) => WriteBytes(output, field, Encoding.UTF8.GetBytes(value));

    private static void WriteBytes(MemoryStream output, int field, byte[] bytes)
    {
        WriteVarint(output, (ulong)((field << 3) | 2));
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteVarint(MemoryStream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }
}
