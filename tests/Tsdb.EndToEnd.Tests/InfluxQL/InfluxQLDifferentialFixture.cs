using System.Net;
using System.Text;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests.InfluxQL;

/// <summary>One InfluxDB 1.6.7 and one tsdb (no auth), both holding the data set in database <c>iql</c>, written
/// through the 1.x <c>/write?db=iql&amp;precision=s</c> endpoint of each.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class InfluxQLDifferentialFixture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-e2e-influxql-").FullName;
    private TsdbProcess? _server;

    public InfluxDb1Server Oracle { get; private set; } = null!;

    public HttpClient Ours { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var oracle = InfluxDb1Server.StartAsync();
        var ours = TsdbProcess.StartAsync(Path.Combine(_dir, "data"), "--without-auth");
        Oracle = await oracle;
        _server = await ours;
        Ours = _server.Client();
        await InfluxQLOracleFixture.LoadAsync(Oracle);
        using var body = new StringContent(InfluxQLDataset.LineProtocol(), Encoding.UTF8, "text/plain");
        using var response = await Ours.PostAsync(new Uri($"/write?db={InfluxQLDataset.Database}&precision=s", UriKind.Relative), body);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"writing the data set to tsdb: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task DisposeAsync()
    {
        Ours?.Dispose();
        Oracle?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Our raw answer, whatever the status; a body that is not JSON is turned into a message the comparer reports.</summary>
    public async Task<string> QueryOursAsync(string query, string? epoch = "ns")
    {
        var path = $"/query?db={InfluxQLDataset.Database}&q={Uri.EscapeDataString(query)}" + (epoch is null ? "" : $"&epoch={epoch}");
        using var response = await Ours.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return body.TrimStart().StartsWith('{') ? body : $"(HTTP {(int)response.StatusCode}, not JSON) {body}";
    }
}
