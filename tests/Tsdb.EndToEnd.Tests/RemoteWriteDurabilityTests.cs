using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Tsdb.Core.Compression;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// Acknowledged remote-write requests survive kill -9 at random moments while concurrent senders keep creating new
/// metrics, so the catalog (a table and tag columns per new metric) changes all the time alongside the WAL appends.
/// </summary>
public sealed class RemoteWriteDurabilityTests : IDisposable
{
    private const int Writers = 3;
    private const int SeriesPerRequest = 40;
    private const int MinimumPerRound = 30 * SeriesPerRequest; // ten requests per writer: four or more new metrics each
    private const long BaseMs = 1_700_000_000_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-rw-durability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Acknowledged_remote_writes_survive_kill_9_while_new_metrics_appear()
    {
        var random = new Random(20261122);
        // Sample identity: (metric, writer, sequence); the sequence is the sample's value and sets its timestamp.
        var acknowledged = new HashSet<(string Metric, int Writer, int Sequence)>();
        var metrics = new HashSet<string>();
        var nextSequence = new int[Writers];
        var requests = 0;
        for (var round = 0; round < 4; round++)
        {
            await using var server = await TsdbProcess.StartAsync(_dir, "--without-auth");
            using var http = server.Client();
            await AssertAllPresent(http, acknowledged, metrics, $"round {round}");

            using var stop = new CancellationTokenSource();
            int AcknowledgedCount()
            {
                lock (acknowledged)
                {
                    return acknowledged.Count;
                }
            }
            var atStart = AcknowledgedCount();
            var senders = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var request = 0; !stop.IsCancellationRequested; request++)
                {
                    // A new metric (so a new table) every third request of each writer, fifteen per writer and round.
                    var metric = $"r{round}_w{w}_m{request / 3 % 15}";
                    var first = nextSequence[w];
                    nextSequence[w] = first + SeriesPerRequest;
                    var body = Snappy.Compress(WriteRequest(metric, w, first, SeriesPerRequest));
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                    content.Headers.ContentEncoding.Add("snappy");
                    using var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/write") { Content = content };
                    message.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
                    Interlocked.Increment(ref requests);
                    try
                    {
                        using var response = await http.SendAsync(message, CancellationToken.None);
                        if (response.StatusCode == HttpStatusCode.NoContent)
                        {
                            lock (acknowledged)
                            {
                                metrics.Add(metric);
                                for (var s = first; s < first + SeriesPerRequest; s++)
                                {
                                    acknowledged.Add((metric, w, s));
                                }
                            }
                        }
                        else
                        {
                            Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                }
            })).ToArray();
            await Task.Delay(random.Next(400, 1500));
            // On a loaded machine (the whole suite runs at once) a round's first requests, each creating a table, can
            // take long: kill only once this round has had some writes acknowledged, so every round tests something.
            for (var waited = 0; AcknowledgedCount() - atStart < MinimumPerRound && waited < 60_000; waited += 20)
            {
                await Task.Delay(20);
            }
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }
        Assert.True(acknowledged.Count > 2000, $"only {acknowledged.Count} samples were acknowledged in {requests} requests");
        Assert.True(metrics.Count > 20, $"only {metrics.Count} metrics were created");

        await using var final = await TsdbProcess.StartAsync(_dir, "--without-auth");
        using var finalHttp = final.Client();
        await AssertAllPresent(finalHttp, acknowledged, metrics, "after the last kill");
    }

    /// <summary>Every acknowledged sample is stored exactly once, with its labels and value.</summary>
    private static async Task AssertAllPresent(HttpClient http, HashSet<(string Metric, int Writer, int Sequence)> acknowledged, HashSet<string> metrics, string when)
    {
        var present = new HashSet<(string, int, int)>();
        foreach (var metric in metrics)
        {
            foreach (var row in await Export.RowsAsync(http, "prometheus", metric))
            {
                var writer = int.Parse(row.GetProperty("writer").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                var sequence = (int)row.GetProperty("value").GetDouble();
                Assert.Equal(BaseMs + sequence, row.GetProperty("time").GetInt64() / 1_000_000);
                Assert.Equal("s" + (sequence % SeriesPerRequest), row.GetProperty("slot").GetString());
                Assert.True(present.Add((metric, writer, sequence)), $"{when}: {metric} writer {writer} sample {sequence} is stored twice");
            }
        }
        var lost = acknowledged.Where(a => !present.Contains(a)).ToList();
        Assert.True(lost.Count == 0, $"{when}: {lost.Count} acknowledged samples lost, e.g. {string.Join(", ", lost.Take(5))}");
    }

    /// <summary>
    /// A remote-write 1.0 <c>WriteRequest</c>: <paramref name="count"/> series of one sample each, written here by
    /// hand (field numbers from remote_v1.proto) so the test does not share the server's decoder.
    /// </summary>
    private static byte[] WriteRequest(string metric, int writer, int first, int count)
    {
        var request = new List<byte>();
        for (var sequence = first; sequence < first + count; sequence++)
        {
            var series = new List<byte>();
            Field(series, 1, Label("__name__", metric));
            Field(series, 1, Label("slot", "s" + (sequence % SeriesPerRequest)));
            Field(series, 1, Label("writer", writer.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var sample = new List<byte> { (1 << 3) | 1 };
            var value = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(value, sequence);
            sample.AddRange(value);
            sample.Add(2 << 3);
            Varint(sample, (ulong)(BaseMs + sequence));
            Field(series, 2, [.. sample]);
            Field(request, 1, [.. series]);
        }
        return [.. request];
    }

    private static byte[] Label(string name, string value)
    {
        var label = new List<byte>();
        Field(label, 1, System.Text.Encoding.UTF8.GetBytes(name));
        Field(label, 2, System.Text.Encoding.UTF8.GetBytes(value));
        return [.. label];
    }

    private static void Field(List<byte> output, int field, byte[] body)
    {
        Varint(output, (ulong)((field << 3) | 2));
        Varint(output, (ulong)body.Length);
        output.AddRange(body);
    }

    private static void Varint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }
}
