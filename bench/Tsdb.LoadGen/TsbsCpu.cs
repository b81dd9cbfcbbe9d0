using System.Text;

namespace Tsdb.LoadGen;

/// <summary>
/// Line protocol shaped like TSBS's cpu-only use case: 10 tags per host, 10 integer usage fields, one point per
/// host every 10 s, from 2016-01-01 as TSBS (or from <c>startNs</c>). Deterministic for a given seed. Also compiled
/// into Tsdb.EndToEnd.Tests, whose Grafana dashboard test writes the last hour of it.
/// </summary>
internal static class TsbsCpu
{
    /// <summary>2016-01-01, as TSBS.</summary>
    public const long TsbsStartNs = 1_451_606_400_000_000_000;

    private static readonly string[] Regions = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"];
    private static readonly string[] Fields = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"];

    public static List<byte[]> Bodies(int lines, int linesPerBody, int hosts, int seed, long startNs = TsbsStartNs)
    {
        var random = new Random(seed);
        var tags = new string[hosts];
        for (var h = 0; h < hosts; h++)
        {
            var region = Regions[random.Next(Regions.Length)];
            tags[h] = $"cpu,hostname=host_{h},region={region},datacenter={region}{(char)('a' + random.Next(3))},rack={random.Next(100)},os=Ubuntu{(random.Next(2) == 0 ? "15.10" : "16.04LTS")},arch=x{(random.Next(2) == 0 ? "64" : "86")},team={(random.Next(3) switch { 0 => "SF", 1 => "NYC", _ => "LON" })},service={random.Next(20)},service_version={random.Next(2)},service_environment={(random.Next(3) switch { 0 => "production", 1 => "staging", _ => "test" })}";
        }
        var bodies = new List<byte[]>();
        var body = new StringBuilder(linesPerBody * 330);
        var inBody = 0;
        for (var i = 0; i < lines; i++)
        {
            var host = i % hosts;
            var time = startNs + ((long)(i / hosts) * 10_000_000_000L);
            body.Append(tags[host]).Append(' ');
            for (var f = 0; f < Fields.Length; f++)
            {
                if (f > 0)
                {
                    body.Append(',');
                }
                body.Append(Fields[f]).Append('=').Append(random.Next(100)).Append('i');
            }
            body.Append(' ').Append(time).Append('\n');
            if (++inBody == linesPerBody)
            {
                bodies.Add(Encoding.UTF8.GetBytes(body.ToString()));
                body.Clear();
                inBody = 0;
            }
        }
        if (inBody > 0)
        {
            bodies.Add(Encoding.UTF8.GetBytes(body.ToString()));
        }
        return bodies;
    }
}
