using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A lost admin token: regenerated online by another admin (POST /api/v3/configure/token/admin/regenerate, or
/// <c>tsdb token create --admin --regenerate</c>), or offline with <c>tsdb token recover --data-dir</c> while the server
/// is stopped. Each prints a new secret and the old one stops working.
/// </summary>
public sealed class TokenRecoveryTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-recover-").FullName;

    private string DataDir => Path.Combine(_dir, "data");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_admin_token_is_regenerated_online_and_recovered_offline()
    {
        string online;
        await using (var server = await TsdbProcess.StartAsync(DataDir))
        {
            var original = server.AdminToken!;
            using var admin = server.Client(original);
            using var created = await admin.PostAsync(new Uri("/api/v3/configure/token", UriKind.Relative), new StringContent("""{"name":"ops","admin":true}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var ops = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
            using var reader = await admin.PostAsync(new Uri("/api/v3/configure/token", UriKind.Relative), new StringContent("""{"name":"r","permissions":["db:*:read"]}""", Encoding.UTF8, "application/json"));
            var readerSecret = JsonDocument.Parse(await reader.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
            using (var notAdmin = server.Client(readerSecret))
            {
                Assert.Equal(HttpStatusCode.Forbidden, (await notAdmin.PostAsync(new Uri("/api/v3/configure/token/admin/regenerate", UriKind.Relative), null)).StatusCode);
            }

            var cli = WriteApiTests.RunCli("token", "create", "--admin", "--regenerate", "--host", server.Url.ToString(), "--token", ops);
            Assert.True(cli.ExitCode == 0, cli.Output);
            Assert.Contains("token '_admin' (*:*:*) created (shown once): ", cli.Output, StringComparison.Ordinal);
            online = Regex.Match(cli.Output, @"apiv3_\S+").Value;
            Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync(new Uri("/api/v3/configure/token", UriKind.Relative))).StatusCode);
            using (var regenerated = server.Client(online))
            {
                Assert.Equal(HttpStatusCode.OK, (await regenerated.GetAsync(new Uri("/api/v3/configure/token", UriKind.Relative))).StatusCode);
            }

            var busy = WriteApiTests.RunCli("token", "recover", "--data-dir", DataDir);
            Assert.Equal(1, busy.ExitCode);
            Assert.Contains("is in use by a running tsdb server: stop it first", busy.Output, StringComparison.Ordinal);
            await server.StopAsync();
        }

        var recovered = WriteApiTests.RunCli("token", "recover", "--data-dir", DataDir);
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        var secret = Regex.Match(recovered.Output, @"apiv3_\S+").Value;
        Assert.NotEmpty(secret);

        await using (var server = await TsdbProcess.StartAsync(DataDir))
        {
            Assert.Null(server.AdminToken); // tokens exist: no new one is printed
            using var recoveredClient = server.Client(secret);
            Assert.Equal(HttpStatusCode.OK, (await recoveredClient.GetAsync(new Uri("/api/v3/configure/token", UriKind.Relative))).StatusCode);
            using var old = server.Client(online);
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync(new Uri("/api/v3/configure/token", UriKind.Relative))).StatusCode);
        }

        var nothing = WriteApiTests.RunCli("token", "recover", "--data-dir", Path.Combine(_dir, "empty"));
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("does not exist", nothing.Output, StringComparison.Ordinal);
    }
}
