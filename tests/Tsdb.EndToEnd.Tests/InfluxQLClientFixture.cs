using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// One tsdb server with authentication on, holding a small InfluxQL data set in database <see cref="Database"/>, shared
/// by the InfluxQL client tests (which only read it).
/// </summary>
public sealed class InfluxQLClientFixture : IAsyncLifetime
{
    public const string Database = "iql";

    /// <summary>The first point's time in seconds: a multiple of 60, so 1m and 10s buckets start on it.</summary>
    public const long Start = 1_700_000_040; // 2023-11-14T22:14:00Z

    // cpu: host a (region eu) at +0, +5, +30, +60, +65 s; host b (region us) at +0, +20, +70 s. mem and disk: one point
    // per host. Means per minute: a 3 and 8, b 15 and 30. Means per 10 s: a 2 at +0, 5 at +30, 8 at +60; b 10, 20, 30.
    public static readonly string LineProtocol = string.Join('\n',
        $"cpu,host=a,region=eu value=1,n=1i {Start}",
        $"cpu,host=a,region=eu value=3,n=2i {Start + 5}",
        $"cpu,host=a,region=eu value=5,n=3i {Start + 30}",
        $"cpu,host=a,region=eu value=7,n=4i {Start + 60}",
        $"cpu,host=a,region=eu value=9,n=5i {Start + 65}",
        $"cpu,host=b,region=us value=10,n=10i {Start}",
        $"cpu,host=b,region=us value=20,n=20i {Start + 20}",
        $"cpu,host=b,region=us value=30,n=30i {Start + 70}",
        $"mem,host=a used=100i {Start}",
        $"mem,host=b used=200i {Start + 10}",
        $"disk,host=a,path=/ free=1.5 {Start}");

    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-iql-clients-").FullName;

    internal InProcessServer Server { get; private set; } = null!;

    public Uri Url => Server.Url;

    public string Token => Server.AdminToken!;

    public async Task InitializeAsync()
    {
        Server = await InProcessTsdb.StartAsync(Path.Combine(_dir, "data"));
        Assert.NotNull(Server.AdminToken);
        await WriteAsync(Server, Database, LineProtocol);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Writes line protocol in seconds through the 1.x write endpoint.</summary>
    internal static async Task WriteAsync(InProcessServer server, string database, string lines)
    {
        using var http = server.Client();
        using var body = new StringContent(lines, Encoding.UTF8, new MediaTypeHeaderValue("text/plain"));
        using var response = await http.PostAsync(new Uri($"/write?db={database}&precision=s", UriKind.Relative), body);
        Assert.True(response.IsSuccessStatusCode, $"write failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A time in seconds after <see cref="Start"/> as the RFC 3339 text 1.x prints.</summary>
    public static string Rfc3339(long secondsAfterStart) =>
        DateTimeOffset.FromUnixTimeSeconds(Start + secondsAfterStart).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
