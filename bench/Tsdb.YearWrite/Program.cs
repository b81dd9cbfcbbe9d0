using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Tsdb.YearWrite;

// Bench client for the write API: streams DAYS of INTERVAL data for SERIES series (`m,series=sNNNNN v=<two decimals>`,
// the same values as Tsdb.HistoryLoad's walk, so the two loads answer the same queries) in time order through
// POST /api/v3/write_lp, bodies of whole time steps (every series at each), WRITERS connections at once. Nothing is
// made ahead: each writer takes the next body number, formats it into its own buffer (so the client's work is spread
// over the writers and never holds the year) and posts it uncompressed (on loopback gzip costs both sides more CPU
// than the bytes it saves). Every response must be 204 (acknowledged after the server's WAL fsync); 503 and 507 carry
// Retry-After (buffer or memory full, disk full) and are retried after it, counted; anything else stops the run.
//
// usage: Tsdb.YearWrite --url http://127.0.0.1:8181 [--db year] [--token T] [--start 2024-01-01] [--days 365]
//          [--series 1000] [--interval-ms 10000] [--lines-per-body 200000] [--writers 4] [--progress-seconds 60]
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 == args.Length)
    {
        Console.Error.WriteLine($"expected --name value pairs, got '{args[i]}'");
        return 2;
    }
    options[args[i][2..]] = args[++i];
}
string Text(string name, string fallback) => options.GetValueOrDefault(name) ?? fallback;
long Number(string name, long fallback) => options.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

if (options.GetValueOrDefault("url") is not { } baseUrl)
{
    Console.Error.WriteLine("--url is required (the server's base URL, e.g. http://127.0.0.1:8181)");
    return 2;
}
var startMs = DateTimeOffset.Parse(Text("start", "2024-01-01"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
var series = (int)Number("series", 1000);
var intervalMs = Number("interval-ms", 10_000);
var steps = Number("days", 365) * 86_400_000 / intervalMs;
var stepsPerBody = (int)Math.Max(1, Number("lines-per-body", 200_000) / series);
var writers = (int)Number("writers", 4);
var progressEvery = TimeSpan.FromSeconds(Number("progress-seconds", 60));
var lines = new NarrowLines(series, startMs, intervalMs, steps, stepsPerBody);
var totalRows = steps * series;
var url = $"{baseUrl.TrimEnd('/')}/api/v3/write_lp?db={Uri.EscapeDataString(Text("db", "year"))}&precision={lines.Precision}";

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = writers, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    Timeout = TimeSpan.FromMinutes(10),
};
if (options.GetValueOrDefault("token") is { } token)
{
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
}

Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"writing {totalRows:N0} rows ({steps:N0} time steps of {series:N0} series) in {lines.Bodies:N0} bodies of {stepsPerBody * series:N0} lines over {writers} connections to {url}"));
var latencies = new double[lines.Bodies];
long next = -1, rowsAcknowledged = 0, bytesSent = 0, retries = 0;
string? failure = null;
using var stop = new CancellationTokenSource();
var clock = Stopwatch.StartNew();
var progress = Task.Run(async () =>
{
    var (lastRows, lastSeconds) = (0L, 0.0);
    while (!stop.IsCancellationRequested)
    {
        try
        {
            await Task.Delay(progressEvery, stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var (rows, seconds) = (Interlocked.Read(ref rowsAcknowledged), clock.Elapsed.TotalSeconds);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seconds,7:F0} s: {rows:N0} rows ({100.0 * rows / totalRows:F1} %), {(rows - lastRows) / (seconds - lastSeconds):N0} rows/s lately, {rows / seconds:N0} overall; {Interlocked.Read(ref retries)} retried"));
        (lastRows, lastSeconds) = (rows, seconds);
    }
});
await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(Writer)));
clock.Stop();
await stop.CancelAsync();
await progress;

if (failure is not null)
{
    Console.Error.WriteLine($"stopped: {failure}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAILED after {rowsAcknowledged:N0} rows acknowledged: {failure}"));
    return 1;
}
Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
var secondsTotal = clock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{rowsAcknowledged:N0} rows in {lines.Bodies:N0} bodies ({bytesSent / 1e9:F1} GB of line protocol) over {writers} connections in {secondsTotal:F0} s = {rowsAcknowledged / secondsTotal:N0} rows/s ({bytesSent / secondsTotal / 1e6:F1} MB/s); every body 204; latency p50 {Percentile(0.5):F0} ms, p99 {Percentile(0.99):F0} ms, max {latencies[^1]:F0} ms; {retries} retried after 503/507"));
return 0;

async Task Writer()
{
    var buffer = new byte[lines.MaxBodyBytes];
    long body;
    while (failure is null && (body = Interlocked.Increment(ref next)) < lines.Bodies)
    {
        var (length, rows) = lines.Format(body, buffer);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            using var content = new ReadOnlyMemoryContent(buffer.AsMemory(0, length));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync(url, content);
            }
            catch (HttpRequestException e)
            {
                failure ??= $"body {body}: {e.Message}";
                return;
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    break;
                }
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InsufficientStorage
                    && response.Headers.RetryAfter?.Delta is { } wait)
                {
                    if (Interlocked.Increment(ref retries) <= 5)
                    {
                        Console.Error.WriteLine($"body {body}: {(int)response.StatusCode} {text}; retrying in {wait.TotalSeconds} s");
                    }
                    await Task.Delay(wait);
                    continue;
                }
                failure ??= $"body {body}: {(int)response.StatusCode} {text}";
                return;
            }
        }
        latencies[body] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Interlocked.Add(ref rowsAcknowledged, rows);
        Interlocked.Add(ref bytesSent, length);
    }
}
