using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tsdb.EndToEnd.Tests.Grafana;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The dashboards in grafana/dashboards against a real server holding matching data (<see cref="GrafanaDashboardFixture"/>):
/// each variable's query is run and its values substituted (the first two of a multi-value variable, so the
/// <c>(a|b)</c> and <c>'a','b'</c> forms must really filter; the first of a single-value one), then every panel's every
/// query is expanded and sent as Grafana's data source would send it (<see cref="GrafanaQueryClient"/>) over the
/// dashboard's own time range ending now, and must answer at least one number. Grafana itself is not installable here,
/// so what it draws is not checked.
/// </summary>
public sealed partial class GrafanaDashboardTests(GrafanaDashboardFixture fixture, ITestOutputHelper output) : IClassFixture<GrafanaDashboardFixture>
{
    private static string Dashboard(string file) => Path.Combine(GrafanaDashboardFixture.GrafanaDir, "dashboards", file);

    [Fact]
    public async Task Every_panel_of_the_host_metrics_dashboard_answers_data_in_InfluxQL_and_SQL()
    {
        var answers = await AssertEveryPanelAnswersAsync("host-metrics.json");
        // The two hosts selected, not all ten: the (a|b) regex and the 'a','b' list filtered.
        Assert.Equal(2, answers["CPU user by host (InfluxQL)/A"].Series);
        Assert.Equal(2, answers["Last point per host (SQL)/A"].Rows);
        Assert.InRange(answers["CPU user by host (SQL)/A"].Rows, 2 * 300, 2 * 362);
        Assert.Equal(2, answers["Idle spread per region (InfluxQL)/A"].Series);
    }

    [Fact]
    public async Task Every_panel_of_the_node_exporter_dashboard_answers_data()
    {
        var answers = await AssertEveryPanelAnswersAsync("node-exporter.json");
        // Two of the three hosts selected; a point per 15 s step of the hour.
        Assert.Equal(2, answers["CPU busy/A"].Series);
        Assert.InRange(answers["Load average/A"].Rows, 2 * 235, 2 * 241);
        Assert.Equal(2, answers["Filesystem space free/A"].Series);
    }

    [Fact]
    public async Task Every_panel_of_the_tsdb_health_dashboard_answers_data_from_the_scraped_metrics()
    {
        // Queries of every language, so that the latency histograms have observations in the last minute.
        using (await fixture.Http.GetAsync(new Uri("/api/v3/query_sql?db=tsbs&q=SELECT%20count(*)%20FROM%20cpu", UriKind.Relative)))
        using (await fixture.Http.GetAsync(new Uri("/query?db=tsbs&q=SELECT%20count(usage_user)%20FROM%20cpu", UriKind.Relative)))
        using (await fixture.Http.GetAsync(new Uri("/api/v1/query?db=prometheus&query=up", UriKind.Relative)))
        {
        }
        // Wait until the scraped samples, remote-written by Prometheus, cover the queries above at a step the dashboard
        // evaluates (its steps are multiples of the 15 s scrape interval the data source is provisioned with).
        string[] ready =
        [
            """sum(increase(tsdb_queries_total{job="tsdb"}[1m]))""",
            """sum(increase(tsdb_wal_fsync_duration_seconds_count{job="tsdb"}[1m]))""",
            """sum(increase(tsdb_write_lines_total{job="tsdb"}[1m]))""",
        ];
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 15 * 15;
            var values = new List<double>();
            foreach (var query in ready)
            {
                values.Add(await fixture.InstantAsync(query, step));
            }
            if (values.TrueForAll(v => v > 0))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the scraped metrics did not arrive: {string.Join(", ", ready.Zip(values))}\n{fixture.PrometheusOutput}");
            await Task.Delay(1_000);
        }
        var answers = await AssertEveryPanelAnswersAsync("tsdb-health.json");
        // Both targets (127.0.0.1 and localhost) matched through the escaped regex.
        Assert.Equal(2, answers["Up/A"].Series);
    }

    [Fact]
    public void The_provisioning_names_every_data_source_the_dashboards_use_and_loads_the_dashboards()
    {
        var dataSources = GrafanaDataSource.Load(Path.Combine(GrafanaDashboardFixture.GrafanaDir, "provisioning", "datasources", "tsdb.yaml"));
        Assert.Equal(
            [GrafanaDataSourceKind.Prometheus, GrafanaDataSourceKind.InfluxQL, GrafanaDataSourceKind.Sql],
            dataSources.Values.Select(d => d.Kind));
        var files = Directory.GetFiles(Path.Combine(GrafanaDashboardFixture.GrafanaDir, "dashboards"), "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["host-metrics.json", "node-exporter.json", "tsdb-health.json"], files.Select(Path.GetFileName));
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var root = JsonNode.Parse(File.ReadAllText(file))!;
            Assert.True(uids.Add((string)root["uid"]!), $"{file}: uid {(string?)root["uid"]} used twice");
            Assert.True((int)root["schemaVersion"]! >= 36, $"{file}: schemaVersion {(int?)root["schemaVersion"]} is older than Grafana 9's");
            Assert.Null(root["id"]?.GetValue<int?>());
            var dashboard = GrafanaDashboard.Load(file);
            Assert.NotEmpty(dashboard.Targets);
            Assert.All(dashboard.Targets, t => Assert.True(dataSources.ContainsKey(t.DataSourceUid), $"{file}: panel '{t.PanelTitle}' uses data source {t.DataSourceUid}, which is not provisioned"));
            Assert.All(dashboard.Variables, v => Assert.True(dataSources.ContainsKey(v.DataSourceUid), $"{file}: variable {v.Name} uses data source {v.DataSourceUid}"));
        }
        var provider = File.ReadAllText(Path.Combine(GrafanaDashboardFixture.GrafanaDir, "provisioning", "dashboards", "tsdb.yaml"));
        Assert.Contains("type: file", provider, StringComparison.Ordinal);
    }

    /// <summary>Runs the dashboard as Grafana would and fails, naming every panel whose query answered no data; returns the answers by "panel title/refId".</summary>
    private async Task<Dictionary<string, GrafanaQueryClient.Answer>> AssertEveryPanelAnswersAsync(string file)
    {
        var dashboard = GrafanaDashboard.Load(Dashboard(file));
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var fromMs = nowMs - RelativeMs(dashboard.TimeFrom);
        var toMs = nowMs - RelativeMs(dashboard.TimeTo);

        var selected = new Dictionary<string, GrafanaVariableValue>(StringComparer.Ordinal);
        foreach (var variable in dashboard.Variables)
        {
            var options = (await fixture.Client.VariableValuesAsync(variable, selected, fromMs, toMs)).Distinct(StringComparer.Ordinal).ToList();
            options = variable.Sort switch
            {
                1 => [.. options.Order(StringComparer.Ordinal)],
                2 => [.. options.OrderDescending(StringComparer.Ordinal)],
                _ => options,
            };
            Assert.True(options.Count > 0, $"{file}: variable {variable.Name} has no values: {variable.Query}");
            if (variable.Multi)
            {
                Assert.True(options.Count >= 2, $"{file}: multi-value variable {variable.Name} has only {string.Join(", ", options)}; the test needs two to check the multi-value forms");
            }
            selected[variable.Name] = new GrafanaVariableValue(variable.Name, variable.Multi, options.Take(variable.Multi ? 2 : 1).ToList());
            output.WriteLine($"variable {variable.Name}: {string.Join(", ", options)} → {string.Join(", ", selected[variable.Name].Values)}");
        }

        var failures = new List<string>();
        var answers = new Dictionary<string, GrafanaQueryClient.Answer>(StringComparer.Ordinal);
        foreach (var target in dashboard.Targets)
        {
            var answer = await fixture.Client.RunAsync(target, selected, fromMs, toMs);
            answers.Add($"{target.PanelTitle}/{target.RefId}", answer);
            output.WriteLine($"{target.PanelTitle} [{target.RefId}]: {answer.Series} series, {answer.Rows} rows, {answer.Values} numbers{(answer.Error is null ? "" : ", " + answer.Error)}\n  {answer.Sent}");
            var reason = answer.Error is not null ? "error: " + answer.Error
                : answer.Values == 0 ? $"no data ({answer.Series} series, {answer.Rows} rows, no number)"
                : target.Format == "time_series" && !answer.HasTimeColumn ? "a time series without a time column"
                : Unexpanded().IsMatch(answer.Sent) ? "a variable or macro was left unexpanded"
                : null;
            if (reason is not null)
            {
                failures.Add($"panel '{target.PanelTitle}' query {target.RefId}: {reason}\n  dashboard query: {target.Query}\n  sent: {answer.Sent}");
            }
        }
        Assert.True(failures.Count == 0,
            $"{file} ({dashboard.Title}), variables {string.Join("; ", selected.Values.Select(v => $"{v.Name} = {string.Join(", ", v.Values)}"))}:\n\n"
            + string.Join("\n\n", failures));
        return answers;
    }

    /// <summary>Grafana's relative times "now" and "now-1h" (what the dashboards use) in milliseconds before now.</summary>
    private static long RelativeMs(string time) => time == "now" ? 0
        : time.StartsWith("now-", StringComparison.Ordinal) ? GrafanaInterval.ParseMs(time[4..])
        : throw new NotSupportedException($"time {time}: only now and now-N are handled");

    // $name, ${name}, [[name]] left in a query sent to the server.
    [GeneratedRegex(@"\$\w|\$\{|\[\[\w")]
    private static partial Regex Unexpanded();
}
