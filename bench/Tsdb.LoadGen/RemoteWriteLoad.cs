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

    /// <summary>
    /// Native histograms, as a Prometheus scraping services instrumented with client_golang's native histograms sends
    /// them: one TimeSeries per integer histogram (schema 3, zero threshold 2^−128), <c>http_request_duration_seconds</c>
    /// across hosts, methods and regions, each with about 20 populated buckets in two spans (latencies of about
    /// 5–50 ms and a slow tail) that grow every 15 s round; a bucket of the tail appears every few rounds.
    /// </summary>
    public static List<byte[]> HistogramBodies(int samples, int samplesPerBody, int hosts, int seed, long startMs, string job)
    {
        var random = new Random(seed);
        var series = new List<(string Name, string Value)[]>();
        for (var h = 0; h < hosts; h++)
        {
            foreach (var method in Modes)
            {
                series.Add([("__name__", "http_request_duration_seconds"), ("instance", $"host-{h}:9100"), ("job", job), ("method", method), ("region", $"region-{h % 7}")]);
            }
        }
        // Per series: absolute counts of 16 buckets from index −60 (≈ 5.5 ms) and of up to 8 tail buckets from −20.
        var main = new long[series.Count][];
        var tail = new long[series.Count][];
        var zero = new long[series.Count];
        var sums = new double[series.Count];
        for (var s = 0; s < series.Count; s++)
        {
            main[s] = new long[16];
            tail[s] = new long[1];
        }
        var bodies = new List<byte[]>();
        var message = new MemoryStream();
        var inBody = 0;
        for (var i = 0; i < samples; i++)
        {
            var s = i % series.Count;
            var round = i / series.Count;
            var timestamp = startMs + ((long)round * 15_000);
            for (var b = 0; b < main[s].Length; b++)
            {
                var observed = random.Next(0, 40);
                main[s][b] += observed;
                sums[s] += observed * 0.005 * Math.Pow(2, b / 8.0);
            }
            if (round % 5 == 4 && tail[s].Length < 8)
            {
                Array.Resize(ref tail[s], tail[s].Length + 1);
            }
            for (var b = 0; b < tail[s].Length; b++)
            {
                var observed = random.Next(0, 3);
                tail[s][b] += observed;
                sums[s] += observed * 0.2 * Math.Pow(2, b / 8.0);
            }
            zero[s] += random.Next(0, 2);
            WriteHistogramSeries(message, series[s], timestamp, zero[s], sums[s], main[s], tail[s]);
            if (++inBody == samplesPerBody || i == samples - 1)
            {
                bodies.Add(Snappier.Snappy.CompressToArray(message.ToArray()));
                message.SetLength(0);
                inBody = 0;
            }
        }
        return bodies;
    }

    /// <summary>TimeSeries { labels, histograms: Histogram { count_int 1, sum 3, schema 4, zero_threshold 5, zero_count_int 6, positive_spans 11, positive_deltas 12, timestamp 15 } }.</summary>
    private static void WriteHistogramSeries(MemoryStream output, (string Name, string Value)[] labels, long timestampMs, long zero, double sum, long[] main, long[] tail)
    {
        var series = new MemoryStream();
        foreach (var (name, labelValue) in labels)
        {
            var label = new MemoryStream();
            WriteString(label, 1, name);
            WriteString(label, 2, labelValue);
            WriteBytes(series, 1, label.ToArray());
        }
        var histogram = new MemoryStream();
        histogram.WriteByte(1 << 3);
        WriteVarint(histogram, (ulong)(zero + main.Sum() + tail.Sum()));
        histogram.WriteByte((3 << 3) | 1);
        Span<byte> bits = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bits, sum);
        histogram.Write(bits);
        histogram.WriteByte(4 << 3);
        WriteVarint(histogram, ZigZag(3));
        histogram.WriteByte((5 << 3) | 1);
        BinaryPrimitives.WriteDoubleLittleEndian(bits, Math.ScaleB(1, -128));
        histogram.Write(bits);
        histogram.WriteByte(6 << 3);
        WriteVarint(histogram, (ulong)zero);
        WriteBytes(histogram, 11, Span(-60, main.Length));
        // The tail starts 24 buckets after the main span's end (index −20).
        WriteBytes(histogram, 11, Span(24, tail.Length));
        var deltas = new MemoryStream();
        long previous = 0;
        foreach (var count in main.Concat(tail))
        {
            WriteVarint(deltas, ZigZag(count - previous));
            previous = count;
        }
        WriteBytes(histogram, 12, deltas.ToArray());
        histogram.WriteByte(15 << 3);
        WriteVarint(histogram, (ulong)timestampMs);
        WriteBytes(series, 4, histogram.ToArray());
        WriteBytes(output, 1, series.ToArray());
    }

    private static byte[] Span(int offset, int length)
    {
        var span = new MemoryStream();
        span.WriteByte(1 << 3);
        WriteVarint(span, ZigZag(offset));
        span.WriteByte(2 << 3);
        WriteVarint(span, (ulong)length);
        return span.ToArray();
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

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
