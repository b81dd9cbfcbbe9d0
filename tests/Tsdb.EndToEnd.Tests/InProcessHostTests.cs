using System.Net;
using System.Text;
using Tsdb.Host;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>The library host as tests and embedders start it: the same start, stop and data-directory rules as <c>tsdb serve</c>.</summary>
public sealed class InProcessHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_stopped_host_closes_its_WAL_and_the_next_start_replays_it()
    {
        var data = Path.Combine(_dir, "data");
        string token;
        await using (var server = await InProcessServer.StartAsync(data))
        {
            token = server.AdminToken ?? throw new InvalidOperationException("no admin token at the first start:\n" + server.Output);
            Assert.Contains("admin token (shown once, only its hash is stored): " + token, server.Output, StringComparison.Ordinal);
            Assert.Contains("listening on " + server.Url.ToString().TrimEnd('/'), server.Output, StringComparison.Ordinal);
            using var http = server.Client();
            using var write = await http.PostAsync("/api/v3/write_lp?db=host", new StringContent("cpu,host=a usage=1.5 1700000000000000000\n", Encoding.UTF8));
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
            await server.StopAsync();
            Assert.Contains("WAL closed with 1 rows not yet persisted", server.Output, StringComparison.Ordinal);
        }
        await using (var again = await InProcessServer.StartAsync(data))
        {
            Assert.Null(again.AdminToken);
            Assert.Contains("replayed 1 WAL records (1 rows not yet persisted)", again.Output, StringComparison.Ordinal);
            using var http = again.Client(token);
            var rows = await http.GetStringAsync("/api/v3/query_sql?db=host&q=SELECT%20host,%20usage%20FROM%20cpu&format=jsonl");
            Assert.Equal("{\"host\":\"a\",\"usage\":1.5}\n", rows);
        }
    }

    [Fact]
    public async Task A_second_host_on_a_data_directory_in_use_is_refused_and_touches_nothing()
    {
        var data = Path.Combine(_dir, "data");
        await using var first = await InProcessServer.StartAsync(data, auth: false);
        var refused = await Assert.ThrowsAsync<HostStartException>(() => InProcessServer.StartAsync(Path.Combine(_dir, "data"), auth: false));
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"the data directory {data} is in use by another tsdb server", refused.Message);
        using var http = first.Client();
        Assert.Equal("OK", await http.GetStringAsync("/health"));
    }

    [Fact]
    public async Task A_port_in_use_is_refused_with_the_address_and_the_lock_is_released()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var data = Path.Combine(_dir, "data");
        var options = new TsdbHostOptions { DataDir = data, HttpBind = $"127.0.0.1:{port}", Auth = false };
        var refused = await Assert.ThrowsAsync<HostStartException>(() => InProcessServer.StartAsync(options));
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"cannot listen on 127.0.0.1:{port}: ", refused.Message, StringComparison.Ordinal);
        // Everything the failed start opened is closed: the data directory can be served at once.
        await using var next = await InProcessServer.StartAsync(options with { HttpBind = "127.0.0.1:0" });
        Assert.NotEqual(port, next.Url.Port);
    }
}
