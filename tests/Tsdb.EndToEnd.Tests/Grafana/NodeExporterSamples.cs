using System.Text.Json.Nodes;

namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>
/// Samples shaped like what Prometheus scrapes from node_exporter (metric and label names as node_exporter 1.x exports
/// them on Linux) for a few hosts, every 15 s, as one remote-write 1.0 request for <see cref="RemoteWriteClient"/>.
/// Counters only grow; gauges wander. Deterministic for a given seed.
/// </summary>
internal static class NodeExporterSamples
{
    public const string Job = "node";

    public static JsonObject Request(int hosts, long startMs, long endMs, int seed)
    {
        var random = new Random(seed);
        var series = new List<JsonObject>();
        for (var h = 0; h < hosts; h++)
        {
            var instance = $"host-{h}:9100";
            Dictionary<string, string> Labels(string name, params (string Key, string Value)[] extra)
            {
                var labels = new Dictionary<string, string> { ["__name__"] = name, ["job"] = Job, ["instance"] = instance };
                foreach (var (key, value) in extra)
                {
                    labels[key] = value;
                }
                return labels;
            }
            void Counter(Dictionary<string, string> labels, double perSecond)
            {
                var value = random.Next(1_000, 100_000) * perSecond;
                series.Add(RemoteWriteClient.Series(labels, [.. Times(startMs, endMs).Select(t => (t, (object)(value += perSecond * 15 * (0.5 + random.NextDouble()))))]));
            }
            void Gauge(Dictionary<string, string> labels, double around, double spread)
            {
                series.Add(RemoteWriteClient.Series(labels, [.. Times(startMs, endMs).Select(t => (t, (object)Math.Max(0, around + (spread * ((random.NextDouble() * 2) - 1)))))]));
            }

            for (var cpu = 0; cpu < 2; cpu++)
            {
                foreach (var (mode, share) in new[] { ("idle", 0.7), ("user", 0.2), ("system", 0.08), ("iowait", 0.02) })
                {
                    Counter(Labels("node_cpu_seconds_total", ("cpu", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("mode", mode)), share);
                }
            }
            const double total = 8L << 30;
            Gauge(Labels("node_memory_MemTotal_bytes"), total, 0);
            Gauge(Labels("node_memory_MemAvailable_bytes"), total * 0.4, total * 0.1);
            Gauge(Labels("node_load1"), 1.2, 0.8);
            Gauge(Labels("node_load5"), 1.0, 0.4);
            Gauge(Labels("node_load15"), 0.9, 0.2);
            foreach (var device in new[] { "eth0", "lo" })
            {
                Counter(Labels("node_network_receive_bytes_total", ("device", device)), 125_000);
                Counter(Labels("node_network_transmit_bytes_total", ("device", device)), 60_000);
            }
            foreach (var (mountpoint, fstype, device) in new[] { ("/", "ext4", "/dev/sda1"), ("/run", "tmpfs", "tmpfs") })
            {
                const double size = 100L << 30;
                Gauge(Labels("node_filesystem_size_bytes", ("device", device), ("fstype", fstype), ("mountpoint", mountpoint)), size, 0);
                Gauge(Labels("node_filesystem_avail_bytes", ("device", device), ("fstype", fstype), ("mountpoint", mountpoint)), size * 0.6, size * 0.01);
            }
            Counter(Labels("node_disk_read_bytes_total", ("device", "sda")), 2_000_000);
            Counter(Labels("node_disk_written_bytes_total", ("device", "sda")), 5_000_000);
            Counter(Labels("node_disk_io_time_seconds_total", ("device", "sda")), 0.05);
            Gauge(Labels("node_boot_time_seconds"), (startMs / 1000) - (86_400 * (h + 1)), 0);
            Gauge(Labels("up"), 1, 0);
        }
        return RemoteWriteClient.Request("1", [.. series]);
    }

    private static IEnumerable<long> Times(long startMs, long endMs)
    {
        for (var t = startMs; t <= endMs; t += 15_000)
        {
            yield return t;
        }
    }
}
