using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Tsdb.LoadGen;

// usage: Tsdb.LoadGen --url URL [--token T] [--writers 4] [--lines 1000000] [--batch 5000] [--hosts 1000] [--warmup-lines 1000000] [--warmup-pause-ms 0] [--pid PID] [--label NAME]
//        [--start-ms MS]   remote-write: the first round's timestamp (default: ten minutes ago)
//        [--format lp|remote-write|remote-write-histograms|otlp]   remote-write: --lines counts samples, --batch samples per request (default 2000), --hosts 100;
//                                          remote-write-histograms: the same with native histogram samples (RemoteWriteLoad.HistogramBodies);
//                                          otlp: the same series as OTLP/HTTP protobuf gauges, --lines counts data points
var options = ParseArgs(args);
var url = options.GetValueOrDefault("url") ?? throw new ArgumentException("--url is required (the full write URL, e.g. http://127.0.0.1:8181/api/v3/write_lp?db=bench)");
var writers = int.Parse(options.GetValueOrDefault("writers") ?? "4", CultureInfo.InvariantCulture);
var lines = int.Parse(options.GetValueOrDefault("lines") ?? "1000000", CultureInfo.InvariantCulture);
var format = options.GetValueOrDefault("format") ?? "lp";
var otlp = format == "otlp";
var histograms = format == "remote-write-histograms";
var remoteWrite = format switch
{
    "lp" => false,
    "remote-write" or "remote-write-histograms" or "otlp" => true,
    var other => throw new ArgumentException($"--format is lp, remote-write, remote-write-histograms or otlp, not '{other}'"),
};
var batch = int.Parse(options.GetValueOrDefault("batch") ?? (remoteWrite ? "2000" : "5000"), CultureInfo.InvariantCulture);
var hosts = int.Parse(options.GetValueOrDefault("hosts") ?? (remoteWrite ? "100" : "1000"), CultureInfo.InvariantCulture);
var unit = otlp ? "points" : histograms ? "histogram samples" : remoteWrite ? "samples" : "lines";
var label = options.GetValueOrDefault("label") ?? url;
var warmupLines = int.Parse(options.GetValueOrDefault("warmup-lines") ?? "1000000", CultureInfo.InvariantCulture);
var warmupPause = TimeSpan.FromMilliseconds(int.Parse(options.GetValueOrDefault("warmup-pause-ms") ?? "0", CultureInfo.InvariantCulture));

Console.Error.WriteLine($"generating {lines:N0} {(otlp ? "OTLP data points" : histograms ? "remote-write native histogram samples" : remoteWrite ? "remote-write samples" : "TSBS cpu lines")} in batches of {batch:N0}…");
// Remote-write samples start ten minutes ago (a Prometheus receiver refuses samples far behind its head); the
// warm-up uses other series (job="warmup") so the timed samples are never out of order for a series.
// --start-ms lets a comparison send two servers the very same samples.
var startMs = options.GetValueOrDefault("start-ms") is { } fixedStart
    ? long.Parse(fixedStart, CultureInfo.InvariantCulture)
    : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
List<byte[]> Generate(int count, int seed, string job) => otlp
    ? OtlpLoad.Bodies(count, batch, hosts, seed, startMs, job)
    : histograms
    ? RemoteWriteLoad.HistogramBodies(count, batch, hosts, seed, startMs, job)
    : remoteWrite
    ? RemoteWriteLoad.Bodies(count, batch, hosts, seed, startMs, job)
    : TsbsCpu.Bodies(count, batch, hosts, seed);
var bodies = Generate(lines, 1, "node");
var totalBytes = bodies.Sum(b => (long)b.Length);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = writers * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { Timeout = TimeSpan.FromMinutes(5) };
if (options.GetValueOrDefault("token") is { } token)
{
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
}

// Warm-up (not timed): lets a JIT-compiled server reach steady state, as a long-running server is.
if (warmupLines > 0)
{
    Console.Error.WriteLine($"warming up with {warmupLines:N0} lines…");
    var warmup = Generate(warmupLines, 2, "warmup");
    var w = -1;
    await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref w)) < warmup.Count)
        {
            using var content = Content(warmup[i]);
            using var response = await http.PostAsync(url, content);
        }
    })));
    if (warmupPause > TimeSpan.Zero)
    {
        await Task.Delay(warmupPause);
    }
}

var latencies = new double[bodies.Count];
var failures = 0;
var next = -1;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < bodies.Count)
    {
        var started = Stopwatch.GetTimestamp();
        using var content = Content(bodies[i]);
        using var response = await http.PostAsync(url, content);
        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            if (Interlocked.Increment(ref failures) <= 3)
            {
                Console.Error.WriteLine($"request {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }
})));
clock.Stop();

Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
var seconds = clock.Elapsed.TotalSeconds;
var rss = options.GetValueOrDefault("pid") is { } pid ? PeakRss(pid) : "n/a";
var perLine = remoteWrite ? "" : string.Create(CultureInfo.InvariantCulture, $"{lines * 10 / seconds / 1e6:F2} M field values/s, ");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{label}: {lines:N0} {unit} ({totalBytes / 1e6:F1} MB) with {writers} writers in {seconds:F2} s = {lines / seconds:N0} {unit}/s ({perLine}{totalBytes / seconds / 1e6:F1} MB/s); latency p50 {Percentile(0.5):F1} ms, p99 {Percentile(0.99):F1} ms; failed requests {failures}; server peak RSS {rss}"));
return failures == 0 ? 0 : 1;

ByteArrayContent Content(byte[] body)
{
    var content = new ByteArrayContent(body);
    if (otlp)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
    }
    else if (remoteWrite)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
    }
    return content;
}

static string PeakRss(string pid)
{
    var status = $"/proc/{pid}/status";
    if (!File.Exists(status))
    {
        return "unknown";
    }
    var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? "unknown" : line["VmHWM:".Length..].Trim();
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"unexpected argument '{args[i]}'");
        }
        result[args[i][2..]] = args[i + 1];
    }
    return result;
}
