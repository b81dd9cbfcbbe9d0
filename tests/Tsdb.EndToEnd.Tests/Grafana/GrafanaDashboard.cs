using System.Text.Json.Nodes;

namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>What the test reads of a dashboard JSON: its time range, its variables in order, and every panel's targets
/// (panels inside rows included, hidden targets left out).</summary>
internal sealed record GrafanaDashboard(string Title, string TimeFrom, string TimeTo, IReadOnlyList<GrafanaDashboard.Variable> Variables, IReadOnlyList<GrafanaDashboard.Target> Targets)
{
    public sealed record Variable(string Name, string DataSourceUid, string Query, bool Multi, int Sort);

    /// <summary>One query of one panel. <c>MaxDataPoints</c> is what Grafana would use: the panel's own setting, else its width in pixels.</summary>
    public sealed record Target(string PanelTitle, string PanelType, string RefId, string DataSourceUid, string Query, bool Instant, string Format, long MaxDataPoints, string? MinInterval);

    /// <summary>Grafana asks for as many points as the panel is wide in pixels; the test assumes a 1,600-pixel-wide dashboard (24 grid columns).</summary>
    private const int DashboardWidthPixels = 1_600;

    public static GrafanaDashboard Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var variables = new List<Variable>();
        foreach (var v in root["templating"]?["list"]?.AsArray() ?? [])
        {
            var type = (string?)v!["type"];
            if (type != "query")
            {
                throw new InvalidDataException($"{path}: variable {(string?)v["name"]} of type {type} is not handled by the test");
            }
            var query = v["query"] is JsonObject q ? (string)q["query"]! : (string)v["query"]!;
            variables.Add(new Variable((string)v["name"]!, Uid(v["datasource"]) ?? throw new InvalidDataException($"variable {(string?)v["name"]} has no data source uid"),
                query, (bool?)v["multi"] ?? false, (int?)v["sort"] ?? 0));
        }
        var targets = new List<Target>();
        foreach (var panel in Panels(root["panels"]!.AsArray()))
        {
            var title = (string)panel["title"]!;
            var panelUid = Uid(panel["datasource"]);
            var width = (int?)panel["gridPos"]?["w"] ?? 12;
            var maxDataPoints = (long?)panel["maxDataPoints"] ?? width * DashboardWidthPixels / 24;
            foreach (var t in panel["targets"]?.AsArray() ?? [])
            {
                if ((bool?)t!["hide"] == true)
                {
                    continue;
                }
                var uid = Uid(t["datasource"]) ?? panelUid ?? throw new InvalidDataException($"panel '{title}' target {(string?)t["refId"]} has no data source uid");
                var query = (string?)t["expr"] ?? (string?)t["rawSql"] ?? (string?)t["query"] ?? throw new InvalidDataException($"panel '{title}': a target without a query");
                var format = (string?)t["format"] ?? (string?)t["resultFormat"] ?? "time_series";
                targets.Add(new Target(title, (string)panel["type"]!, (string)t["refId"]!, uid, query, (bool?)t["instant"] == true && (bool?)t["range"] != true, format, maxDataPoints, (string?)panel["interval"]));
            }
        }
        var time = root["time"]!;
        return new GrafanaDashboard((string)root["title"]!, (string)time["from"]!, (string)time["to"]!, variables, targets);
    }

    private static IEnumerable<JsonNode> Panels(JsonArray panels)
    {
        foreach (var panel in panels)
        {
            if ((string?)panel!["type"] == "row")
            {
                foreach (var inner in Panels(panel["panels"]?.AsArray() ?? []))
                {
                    yield return inner;
                }
                continue;
            }
            yield return panel;
        }
    }

    private static string? Uid(JsonNode? dataSource) => dataSource is JsonObject o ? (string?)o["uid"] : null;
}
