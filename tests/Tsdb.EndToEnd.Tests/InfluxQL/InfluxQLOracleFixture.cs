using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests.InfluxQL;

/// <summary>One InfluxDB 1.6.7 holding the data set in database <c>iql</c>.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class InfluxQLOracleFixture : IAsyncLifetime
{
    public InfluxDb1Server Oracle { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Oracle = await InfluxDb1Server.StartAsync();
        await LoadAsync(Oracle);
    }

    public Task DisposeAsync()
    {
        Oracle?.Dispose();
        return Task.CompletedTask;
    }

    public Task<string> QueryAsync(string query, string? epoch = "ns") => Oracle.QueryAsync(InfluxQLDataset.Database, query, epoch);

    internal static async Task LoadAsync(InfluxDb1Server oracle)
    {
        await oracle.CreateDatabaseAsync(InfluxQLDataset.Database);
        await oracle.WriteAsync(InfluxQLDataset.Database, InfluxQLDataset.LineProtocol(), "s");
    }
}
