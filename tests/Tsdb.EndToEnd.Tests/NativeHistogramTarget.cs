using System.Net;
using System.Net.Sockets;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A scrape target on 127.0.0.1 serving <c>rpc_duration_seconds</c> in the protobuf exposition format: two native
/// histograms (schema 0 and 3, positive and negative buckets, a zero bucket) that advance one state per scrape
/// through <see cref="States"/> states and then stay. A bucket appears at state 4 and the counters reset at state 8.
/// </summary>
internal sealed class NativeHistogramTarget : IDisposable
{
    public const int States = 14;
    public const int ResetAt = 8;

    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private int _scrapes;

    public NativeHistogramTarget()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public int Scrapes => Volatile.Read(ref _scrapes);

    /// <summary>The Accept header of the last scrape (Prometheus asks for protobuf first with native histograms on).</summary>
    public string? LastAccept { get; private set; }

    public static ProtobufExposition.NativeHistogram State(int k, string path)
    {
        // Counters grow with `level`; at ResetAt they start again from a lower level (a counter reset).
        var level = k < ResetAt ? k + 1 : k - ResetAt + 1;
        var factor = path == "a" ? 1 : 3;
        (int, uint)[] positiveSpans = k >= 4 ? [(-1, 3), (2, 2)] : [(-1, 3), (2, 1)];
        long[] positive = k >= 4
            ? [level * factor, 2L * level, level * factor * 3L, level + 2L, k - 3L]
            : [level * factor, 2L * level, level * factor * 3L, level + 2L];
        return new ProtobufExposition.NativeHistogram(
            Schema: path == "a" ? 0 : 3, ZeroThreshold: 0.001, ZeroCount: (ulong)level, Sum: (level * 3.7 * factor) - (level * 0.25),
            PositiveSpans: positiveSpans, PositiveCounts: positive,
            NegativeSpans: [(0, 2)], NegativeCounts: [level, 2L * level]);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            LastAccept = context.Request.Headers["Accept"];
            var k = Math.Min(Interlocked.Increment(ref _scrapes) - 1, States - 1);
            var body = ProtobufExposition.HistogramFamily("rpc_duration_seconds", "RPC latency.",
                [([("path", "a")], State(k, "a")), ([("path", "b")], State(k, "b"))]);
            context.Response.ContentType = ProtobufExposition.ContentType;
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}
