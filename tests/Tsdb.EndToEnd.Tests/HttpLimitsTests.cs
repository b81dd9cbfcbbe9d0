using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// What a hostile or broken HTTP client gets (docs/http-api.md, "Limits"), spoken over raw sockets so that nothing
/// tidies the request up: oversized or too many headers 431, headers too slow 408, a body too slow 408 with a JSON
/// error, and connections past the cap closed at once — and the server keeps serving everyone else.
/// </summary>
public sealed class HttpLimitsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-limits-").FullName;
    private InProcessServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await InProcessTsdb.StartAsync(_dir, "--without-auth", "--http-max-connections", "4", "--http-header-timeout", "2s");

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 20_000 };
        await socket.ConnectAsync(_server.Url.Host, _server.Url.Port);
        return socket;
    }

    /// <summary>Everything the server sends until it closes the connection or <paramref name="until"/> appears.</summary>
    private static async Task<string> ReadAsync(Socket socket, string until = "\r\n\r\n")
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!text.ToString().Contains(until, StringComparison.Ordinal))
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                break;   // reset by the server
            }
            if (n == 0)
            {
                break;
            }
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return text.ToString();
    }

    private async Task<string> PingAsync()
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync("GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray());
        return await ReadAsync(socket);
    }

    [Fact]
    public async Task Headers_over_32_KiB_or_100_fields_get_431()
    {
        using (var socket = await ConnectAsync())
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 40_000)}\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 431 ", await ReadAsync(socket), StringComparison.Ordinal);
        }
        using (var socket = await ConnectAsync())
        {
            var many = string.Concat(Enumerable.Range(0, 120).Select(i => $"X-{i}: v\r\n"));
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /-/healthy HTTP/1.1\r\nHost: x\r\n{many}\r\n"));
            Assert.StartsWith("HTTP/1.1 431 ", await ReadAsync(socket), StringComparison.Ordinal);
        }
        Assert.StartsWith("HTTP/1.1 200 ", await PingAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_not_finished_within_the_header_timeout_get_408()
    {
        using var socket = await ConnectAsync();
        var clock = Stopwatch.StartNew();
        await socket.SendAsync("GET /-/healthy HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var answer = await ReadAsync(socket);
        Assert.StartsWith("HTTP/1.1 408 ", answer, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_rate_gets_408_with_a_json_error_and_nothing_is_written()
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync("POST /api/v3/write_lp?db=slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nm v=1 1\n"u8.ToArray());
        var answer = "";
        var receive = ReadAsync(socket, "}");
        // One byte a second: far below 240 bytes/s once the 5 s grace is over.
        for (var i = 0; i < 15 && !receive.IsCompleted; i++)
        {
            try
            {
                await socket.SendAsync("#"u8.ToArray());
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(receive, Task.Delay(1000));
        }
        answer = await receive;
        Assert.StartsWith("HTTP/1.1 408 ", answer, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"Reading the request body timed out due to data arriving too slowly", answer, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = _server.Url };
        var databases = await http.GetStringAsync(new Uri("/api/v3/configure/database?format=json", UriKind.Relative));
        Assert.DoesNotContain("slow", databases, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_past_the_cap_are_closed_and_served_again_once_others_close()
    {
        var open = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var socket = await ConnectAsync();
                open.Add(socket);
                await socket.SendAsync("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
                Assert.StartsWith("HTTP/1.1 200 ", await ReadAsync(socket, "Healthy"), StringComparison.Ordinal);
            }
            using (var fifth = await ConnectAsync())
            {
                await fifth.SendAsync("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
                Assert.Equal("", await ReadAsync(fifth));
            }
        }
        finally
        {
            foreach (var socket in open)
            {
                socket.Dispose();
            }
        }
        // Kestrel counts a connection until it has seen it close, which a loaded machine may take seconds to do.
        var answer = "";
        var deadline = Stopwatch.StartNew();
        while (!answer.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            answer = await PingAsync();
        }
        Assert.StartsWith("HTTP/1.1 200 ", answer, StringComparison.Ordinal);
    }
}
