using System.Text.RegularExpressions;

namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>
/// One data source of <c>grafana/provisioning/datasources/tsdb.yaml</c>, with the settings that change what Grafana sends:
/// the database (<c>dbName</c> or the <c>db=</c> custom query parameter), the minimum interval (<c>timeInterval</c>,
/// the scrape interval for Prometheus) and the kind.
/// </summary>
internal sealed partial record GrafanaDataSource(string Name, string Uid, GrafanaDataSourceKind Kind, string Database, long TimeIntervalMs)
{
    /// <summary>Reads the provisioning file. Not a YAML parser: it knows the shape of this one file (a list of
    /// <c>- name:</c> entries with indented keys) and fails on anything it does not understand.</summary>
    public static IReadOnlyDictionary<string, GrafanaDataSource> Load(string path)
    {
        var result = new Dictionary<string, GrafanaDataSource>(StringComparer.Ordinal);
        var text = File.ReadAllText(path);
        foreach (var block in EntryStart().Split(text).Skip(1))
        {
            string? Key(string key) => KeyLine(key).Match(block) is { Success: true } m ? m.Groups[1].Value.Trim() : null;
            var name = block[..block.IndexOf('\n', StringComparison.Ordinal)].Trim();
            var uid = Key("uid") ?? throw new InvalidDataException($"data source '{name}' has no uid");
            var type = Key("type");
            var version = Key("version");
            var kind = (type, version) switch
            {
                ("prometheus", _) => GrafanaDataSourceKind.Prometheus,
                ("influxdb", "InfluxQL" or null) => GrafanaDataSourceKind.InfluxQL,
                ("influxdb", "SQL") => GrafanaDataSourceKind.Sql,
                _ => throw new InvalidDataException($"data source '{name}': type {type} version {version} is not one tsdb serves"),
            };
            var database = kind == GrafanaDataSourceKind.Prometheus
                ? (Key("customQueryParameters") is { } custom && CustomDb().Match(custom) is { Success: true } db ? db.Groups[1].Value : "prometheus")
                : Key("dbName") ?? throw new InvalidDataException($"data source '{name}' has no dbName");
            var interval = Key("timeInterval") is { } t ? GrafanaInterval.ParseMs(t) : kind == GrafanaDataSourceKind.Prometheus ? 15_000 : 0;
            result.Add(uid, new GrafanaDataSource(name, uid, kind, database, interval));
        }
        return result;
    }

    [GeneratedRegex(@"^\s*- name:", RegexOptions.Multiline)]
    private static partial Regex EntryStart();

    private static Regex KeyLine(string key) => new($@"^\s+{Regex.Escape(key)}:\s*(.+)$", RegexOptions.Multiline);

    [GeneratedRegex(@"(?:^|&)db=([^&]+)")]
    private static partial Regex CustomDb();
}
