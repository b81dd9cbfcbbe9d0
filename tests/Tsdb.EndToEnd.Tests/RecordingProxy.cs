using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A TCP relay in front of a server that keeps the request header blocks the client sent: how a test sees what a
/// separate process (the tsdb CLI) put on the wire, e.g. <c>Content-Encoding: gzip</c>.
/// </summary>
internal sealed class RecordingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _sent = new();
    private readonly Task _accepting;

    public RecordingProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>HOST:PORT, without a scheme.</summary>
    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Everything the clients sent, as Latin-1 text (header lines are ASCII; bodies come out garbled but harmless).</summary>
    public string Sent
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToString();
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                var up = Copy(client.GetStream(), server.GetStream(), record: true);
                var down = Copy(server.GetStream(), client.GetStream(), record: false);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private async Task Copy(NetworkStream from, NetworkStream to, bool record)
    {
        var buffer = new byte[1 << 16];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (record)
                {
                    lock (_sent)
                    {
                        _sent.Append(Encoding.Latin1.GetString(buffer, 0, n));
                    }
                }
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
