using System.Globalization;
using System.Text;

namespace Tsdb.LineProtocol.Tests;

public sealed class AllocationTests
{
    // Where the values end up, so that reading them is not optimised away (GC.KeepAlive would box).
    private static long Checksum { get; set; }

    [Fact]
    public void Steady_state_parsing_allocates_nothing()
    {
        var body = TsbsCpuBody(5000);
        var line = new ParsedLine();
        Assert.Equal(5000, ParseAll(body, line));
        Assert.Equal(5000, ParseAll(body, line));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = ParseAll(body, line);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(5000, count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Steady_state_parsing_of_wide_lines_allocates_nothing()
    {
        // 60 tags and 100 fields a line: past the key filter, so the key table is used (and reused).
        var text = new StringBuilder();
        for (var l = 0; l < 200; l++)
        {
            text.Append("wide");
            for (var t = 0; t < 60; t++)
            {
                text.Append(CultureInfo.InvariantCulture, $",tag{t}=v{l}");
            }
            text.Append(' ');
            for (var f = 0; f < 100; f++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{(f == 0 ? "" : ",")}field\\ {f}={l}i");
            }
            text.Append(CultureInfo.InvariantCulture, $" {l}\n");
        }
        var body = Encoding.UTF8.GetBytes(text.ToString());
        var line = new ParsedLine();
        Assert.Equal(200, ParseAll(body, line));
        Assert.Equal(200, ParseAll(body, line));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = ParseAll(body, line);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(200, count);
        Assert.Equal(0, allocated);
    }

    /// <summary>Counts good lines (or -1 on the first bad one) and touches every value, as ingestion would.</summary>
    private static int ParseAll(byte[] body, ParsedLine line)
    {
        var reader = new LineProtocolReader(body);
        var count = 0;
        long checksum = 0;
        while (reader.TryReadLine(line, out var error))
        {
            if (error.HasValue)
            {
                return -1;
            }
            count++;
            checksum += line.Measurement.Length + line.TagCount;
            for (var i = 0; i < line.FieldCount; i++)
            {
                checksum += line.GetFieldKind(i) switch
                {
                    FieldKind.Integer => line.GetInteger(i),
                    FieldKind.Float => (long)line.GetFloat(i),
                    FieldKind.String => line.GetStringValue(i).Length,
                    FieldKind.UInteger => (long)line.GetUInteger(i),
                    _ => line.GetBoolean(i) ? 1 : 0,
                };
            }
            checksum += line.Timestamp;
        }
        Checksum = checksum;
        return count;
    }

    /// <summary>Lines shaped like TSBS's cpu-only use case (10 tags, 10 integer fields), with some floats and strings mixed in.</summary>
    internal static byte[] TsbsCpuBody(int lines)
    {
        var random = new Random(42);
        string[] regions = ["us-east-1", "us-west-1", "eu-west-1", "eu-central-1", "ap-northeast-1"];
        string[] fields = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"];
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            var region = regions[i % regions.Length];
            text.Append(CultureInfo.InvariantCulture,
                $"cpu,hostname=host_{i % 100},region={region},datacenter={region}a,rack={i % 97},os=Ubuntu16.04LTS,arch=x64,team=SF,service={i % 19},service_version={i % 2},service_environment=production ");
            for (var f = 0; f < fields.Length; f++)
            {
                text.Append(f == 0 ? "" : ",").Append(fields[f]).Append('=');
                switch (i % 10)
                {
                    case 7:
                        text.Append((random.NextDouble() * 100).ToString("R", CultureInfo.InvariantCulture));
                        break;
                    case 8:
                        text.Append(random.Next(100)).Append('.').Append(random.Next(100));
                        break;
                    case 9 when f == 0:
                        text.Append("\"esc\\\"aped\"");
                        break;
                    default:
                        text.Append(random.Next(100)).Append('i');
                        break;
                }
            }
            text.Append(' ').Append(1451606400000000000L + (i * 10_000_000_000L)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
