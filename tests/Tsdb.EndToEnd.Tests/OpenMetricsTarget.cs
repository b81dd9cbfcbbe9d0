using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A scrape target for a real Prometheus: serves <c>/metrics</c> as OpenMetrics text (the only exposition format
/// that carries exemplars) from a page function given the number of the scrape (0, 1, …).
/// </summary>
internal sealed class OpenMetricsTarget : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, string> _page;
    private readonly Task _serving;
    private int _scrapes;

    public OpenMetricsTarget(Func<int, string> page)
    {
        _page = page;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public int Scrapes => Volatile.Read(ref _scrapes);

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
            using var response = context.Response;
            var body = Encoding.UTF8.GetBytes(_page(Interlocked.Increment(ref _scrapes) - 1));
            response.ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }
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
}
