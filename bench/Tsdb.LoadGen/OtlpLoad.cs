using System.Buffers.Binary;
using System.Text;

namespace Tsdb.LoadGen;

/// <summary>
/// OTLP/HTTP protobuf ExportMetricsServiceRequest bodies carrying the same series as <see cref="RemoteWriteLoad"/>:
/// one resource per host (service.name = the job, service.instance.id = the instance, region as a resource
/// attribute), five gauges with a <c>mode</c> attribute, 2,000 data points per request by default, every series once
/// per 15 s round. Written by hand from the OTLP field numbers, so the load generator shares no code with the server.
/// </summary>
internal static class OtlpLoad
{
    private static readonly string[] Metrics = ["node_cpu_seconds_total", "node_memory_bytes", "node_network_receive_bytes_total", "node_disk_io_time_seconds_total", "node_load1"];
    private static readonly string[] Modes = ["idle", "user", "system", "iowait"];

    public static List<byte[]> Bodies(int points, int pointsPerBody, int hosts, int seed, long startMs, string job)
    {
        var random = new Random(seed);
        var perHost = Metrics.Length * Modes.Length;
        var values = new double[hosts * perHost];
        var bodies = new List<byte[]>();
        var pending = new List<(int Series, long Ms, double Value)>();
        for (var i = 0; i < points; i++)
        {
            var s = i % values.Length;
            values[s] += random.Next(0, 1000) / 8.0;
            pending.Add((s, startMs + ((long)(i / values.Length) * 15_000), values[s]));
            if (pending.Count == pointsPerBody || i == points - 1)
            {
                bodies.Add(Request(pending, perHost, job));
                pending.Clear();
            }
        }
        return bodies;
    }

    /// <summary>Consecutive points of one host share a ResourceMetrics, of one metric a Metric.</summary>
    private static byte[] Request(List<(int Series, long Ms, double Value)> points, int perHost, string job)
    {
        var request = new MemoryStream();
        var start = 0;
        while (start < points.Count)
        {
            var host = points[start].Series / perHost;
            var end = start;
            while (end < points.Count && points[end].Series / perHost == host)
            {
                end++;
            }
            var resource = new MemoryStream();
            WriteBytes(resource, 1, Attribute("service.name", job));
            WriteBytes(resource, 1, Attribute("service.instance.id", $"host-{host}:9100"));
            WriteBytes(resource, 1, Attribute("region", $"region-{host % 7}"));
            var scope = new MemoryStream();
            var scopeName = new MemoryStream();
            WriteString(scopeName, 1, "loadgen");
            WriteBytes(scope, 1, scopeName.ToArray());
            var m = start;
            while (m < end)
            {
                var metric = points[m].Series % perHost / Modes.Length;
                var gauge = new MemoryStream();
                while (m < end && points[m].Series % perHost / Modes.Length == metric)
                {
                    gauge.Write(Point(Modes[points[m].Series % Modes.Length], points[m].Ms, points[m].Value) is var p ? Field(1, p) : []);
                    m++;
                }
                var metricMessage = new MemoryStream();
                WriteString(metricMessage, 1, Metrics[metric]);
                WriteBytes(metricMessage, 5, gauge.ToArray());
                WriteBytes(scope, 2, metricMessage.ToArray());
            }
            var resourceMetrics = new MemoryStream();
            WriteBytes(resourceMetrics, 1, resource.ToArray());
            WriteBytes(resourceMetrics, 2, scope.ToArray());
            WriteBytes(request, 1, resourceMetrics.ToArray());
            start = end;
        }
        return request.ToArray();
    }

    private static byte[] Point(string mode, long ms, double value)
    {
        var point = new MemoryStream();
        Span<byte> bits = stackalloc byte[8];
        point.WriteByte((3 << 3) | 1); // time_unix_nano, fixed64
        BinaryPrimitives.WriteUInt64LittleEndian(bits, (ulong)ms * 1_000_000);
        point.Write(bits);
        point.WriteByte((4 << 3) | 1); // as_double
        BinaryPrimitives.WriteDoubleLittleEndian(bits, value);
        point.Write(bits);
        WriteBytes(point, 7, Attribute("mode", mode));
        return point.ToArray();
    }

    private static byte[] Attribute(string key, string value)
    {
        var any = new MemoryStream();
        WriteString(any, 1, value);
        var keyValue = new MemoryStream();
        WriteString(keyValue, 1, key);
        WriteBytes(keyValue, 2, any.ToArray());
        return keyValue.ToArray();
    }

    private static byte[] Field(int field, byte[] bytes)
    {
        var output = new MemoryStream();
        WriteBytes(output, field, bytes);
        return output.ToArray();
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
