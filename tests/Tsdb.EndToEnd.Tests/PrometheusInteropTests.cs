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

    /// <summary>
    /// Prometheus with exemplar storage scrapes OpenMetrics exemplars (a counter's and a histogram bucket's, a new one
    /// every scrape for a while) and remote-writes them with <c>send_exemplars</c>; both then answer
    /// <c>/api/v1/query_exemplars</c> byte for byte alike for the same queries and range.
    /// </summary>
    [Fact]
    public async Task Prometheus_remote_writes_scraped_exemplars_and_both_serve_the_same_query_exemplars()
    {
        const int NewExemplars = 6;
        var baseMs = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000) - 60_000;
        static string Seconds(long ms) => (ms / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        // Scrape n carries exemplars at baseMs + n·1000 + 123 (and + 456); from scrape NewExemplars on, the last ones again
        // (Prometheus keeps a repeated exemplar once).
        using var target = new OpenMetricsTarget(scrape =>
        {
            var n = Math.Min(scrape, NewExemplars - 1);
            var at = baseMs + (n * 1000);
            return $$"""
                # TYPE requests counter
                # HELP requests Requests served.
                requests_total{path="/a"} {{n + 1}} # {trace_id="t{{n}}",span_id="s{{n}}"} {{n + 0.5}} {{Seconds(at + 123)}}
                requests_total{path="/b"} 1
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.5"} {{n}} # {trace_id="h{{n}}"} 0.25 {{Seconds(at + 456)}}
                latency_seconds_bucket{le="+Inf"} {{n + 1}} # {trace_id="i{{n}}",user="ünï"} {{(n * 1.5) + 1}} {{Seconds(at + 457)}}
                latency_seconds_sum {{n * 2}}
                latency_seconds_count {{n + 1}}
                # EOF

                """.Replace("\r\n", "\n", StringComparison.Ordinal);
        });
        var (port, directory) = PrometheusServer.Prepare();
        var config = $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: app
                static_configs:
                  - targets: ['127.0.0.1:{target.Port}']
            remote_write:
              - url: {Server.Url.ToString().TrimEnd('/')}/api/v1/write?db=exemplars
                authorization:
                  credentials: {Server.AdminToken}
                send_exemplars: true
                queue_config:
                  batch_send_deadline: 1s
            """;
        using var prometheus = PrometheusServer.Start(port, directory, config, "--enable-feature=exemplar-storage");
        using var promHttp = new HttpClient { BaseAddress = prometheus.Url };
        var range = $"&start={Seconds(baseMs - 1000)}&end={Seconds(baseMs + (NewExemplars * 1000))}";
        string[] queries = ["1 + 1", "requests_total", "latency_seconds_bucket{le=\"0.5\"}", "rate(requests_total[1m]) / on() group_left sum(rate(latency_seconds_bucket[5m]))", "{job=\"app\"}"];
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var answers = new List<(string Query, string Prometheus, string Ours)>();
        while (true)
        {
            answers.Clear();
            foreach (var query in queries)
            {
                var path = $"/api/v1/query_exemplars?query={Uri.EscapeDataString(query)}{range}";
                var theirs = await promHttp.GetStringAsync(path);
                using var ours = await Http.GetAsync(path + "&db=exemplars");
                answers.Add((query, theirs, await ours.Content.ReadAsStringAsync()));
            }
            // Complete once Prometheus holds every exemplar (3 series × NewExemplars) and this store has what it has.
            var complete = JsonDocument.Parse(answers[^1].Prometheus).RootElement.GetProperty("data").EnumerateArray().Sum(s => s.GetProperty("exemplars").GetArrayLength()) == 3 * NewExemplars;
            if ((complete && answers.TrueForAll(a => a.Prometheus == a.Ours)) || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(1000);
        }
        foreach (var (query, theirs, ours) in answers)
        {
            Assert.True(theirs == ours, $"{query}:\nPrometheus: {theirs}\nthis store: {ours}\nscrapes: {target.Scrapes}\n{prometheus.Output}");
        }
        // Errors in the same shape and words: a query that does not parse, a range that ends before it starts.
        foreach (var path in new[] { "/api/v1/query_exemplars?query=sum(up", "/api/v1/query_exemplars?query=up&start=10&end=5" })
        {
            using var theirs = await promHttp.GetAsync(path);
            using var ours = await Http.GetAsync(path + "&db=exemplars");
            Assert.Equal((theirs.StatusCode, await theirs.Content.ReadAsStringAsync()), (ours.StatusCode, await ours.Content.ReadAsStringAsync()));
        }
        var all = JsonDocument.Parse(answers[^1].Ours).RootElement.GetProperty("data");
        Assert.Equal(3, all.GetArrayLength());
        Assert.All(all.EnumerateArray(), s => Assert.Equal(NewExemplars, s.GetProperty("exemplars").GetArrayLength()));
    }
}
