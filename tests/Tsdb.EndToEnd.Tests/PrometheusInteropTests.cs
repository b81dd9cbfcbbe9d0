using System.Text.Json;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>A real Prometheus 2.42 scraping itself and remote-writing (1.0) to this database.</summary>
public sealed class PrometheusInteropTests() : ServerPerClass("prom")
{

    private async Task<string[]> LabelValues(string name, string db)
    {
        using var response = await Http.GetAsync($"/api/v1/label/{name}/values?db={db}");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        // Until the first remote write creates the database, reading it is an error naming it: nothing received yet.
        if (response.StatusCode == System.Net.HttpStatusCode.BadRequest && json.GetProperty("error").GetString()!.StartsWith($"database '{db}' not found", StringComparison.Ordinal))
        {
            return [];
        }
        response.EnsureSuccessStatusCode();
        return [.. json.GetProperty("data").EnumerateArray().Select(e => e.GetString()!)];
    }

    [Fact]
    public async Task Prometheus_remote_writes_its_own_scrapes_here()
    {
        var (port, directory) = PrometheusServer.Prepare();
        var config = $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: self
                static_configs:
                  - targets: ['127.0.0.1:{port}']
            remote_write:
              - url: {Server.Url.ToString().TrimEnd('/')}/api/v1/write?db=scraped
                authorization:
                  credentials: {Server.AdminToken}
                queue_config:
                  batch_send_deadline: 1s
                metadata_config:
                  send_interval: 1s
            """;
        using var prometheus = PrometheusServer.Start(port, directory, config);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string[] names = [];
        while (DateTime.UtcNow < deadline)
        {
            names = await LabelValues("__name__", "scraped");
            if (names.Contains("up") && names.Contains("prometheus_build_info") && names.Contains("scrape_samples_scraped"))
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.True(names.Contains("up") && names.Contains("prometheus_build_info"), $"metrics received: {string.Join(", ", names)}\n{prometheus.Output}");
        Assert.Equal(["self"], await LabelValues("job", "scraped"));
        Assert.Equal([$"127.0.0.1:{port}"], await LabelValues("instance", "scraped"));
        Assert.Contains("2.42.0+ds", await LabelValues("version", "scraped"));

        var up = await Export.RowsAsync(Http, "scraped", "up");
        Assert.NotEmpty(up);
        Assert.All(up, row => Assert.Equal(1.0, row.GetProperty("value").GetDouble()));
        // Scrape timestamps are milliseconds: stored as nanoseconds with six zero digits.
        Assert.All(up, row => Assert.Equal(0, row.GetProperty("time").GetInt64() % 1_000_000));

        // Metadata arrives on its own schedule; wait for it.
        var metadataDeadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement metadata = default;
        while (DateTime.UtcNow < metadataDeadline)
        {
            metadata = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/metadata?db=scraped&metric=prometheus_build_info")).RootElement.GetProperty("data");
            if (metadata.TryGetProperty("prometheus_build_info", out _))
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.Equal("gauge", metadata.GetProperty("prometheus_build_info")[0].GetProperty("type").GetString());
    }
}
