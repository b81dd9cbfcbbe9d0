using System.Globalization;
using System.Text.Json;
using Tsdb.Cli.Client;

namespace Tsdb.Cli.Output;

/// <summary>
/// A Prometheus query answer as rows: one per sample, the labels (<c>__name__</c> first, then by name), <c>time</c>
/// (RFC 3339, UTC) and <c>value</c>. Vectors give a row per series, matrices a row per point. A native histogram
/// sample's value is its JSON object as the server wrote it (<c>{"count":…,"sum":…,"buckets":[…]}</c>).
/// </summary>
internal static class PromQLRows
{
    public static RowSet Parse(string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.TryGetProperty("status", out var status) && status.GetString() != "success")
        {
            throw new CliException("the query failed: " + (root.TryGetProperty("error", out var e) ? e.GetString() : body));
        }
        var data = root.GetProperty("data");
        var type = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        var samples = new List<(Dictionary<string, string> Labels, JsonElement Point)>();
        switch (type)
        {
            case "scalar" or "string":
                samples.Add(([], result));
                break;
            case "vector":
                foreach (var series in result.EnumerateArray())
                {
                    samples.Add((Labels(series), series.TryGetProperty("histogram", out var histogram) ? histogram : series.GetProperty("value")));
                }
                break;
            case "matrix":
                foreach (var series in result.EnumerateArray())
                {
                    var labels = Labels(series);
                    // "values" and "histograms" are each present only when the series has such points.
                    foreach (var key in (string[])["values", "histograms"])
                    {
                        if (series.TryGetProperty(key, out var points))
                        {
                            foreach (var point in points.EnumerateArray())
                            {
                                samples.Add((labels, point));
                            }
                        }
                    }
                }
                break;
            default:
                throw new CliException($"unexpected PromQL result type '{type}'");
        }
        var names = samples.SelectMany(s => s.Labels.Keys).Distinct().OrderBy(n => n == "__name__" ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal).ToList();
        var columns = names.Concat(["time", "value"]).ToList();
        var rows = new List<object?[]>(samples.Count);
        foreach (var (labels, point) in samples)
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < names.Count; i++)
            {
                row[i] = labels.GetValueOrDefault(names[i]);
            }
            var seconds = point[0].GetDouble();
            row[^2] = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);
            if (point[1].ValueKind == JsonValueKind.Object)
            {
                row[^1] = point[1].GetRawText();
                rows.Add(row);
                continue;
            }
            var text = point[1].GetString()!;
            row[^1] = type == "string" ? text : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : text;
            rows.Add(row);
        }
        return new RowSet(columns, rows);
    }

    private static Dictionary<string, string> Labels(JsonElement series)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (series.TryGetProperty("metric", out var metric))
        {
            foreach (var label in metric.EnumerateObject())
            {
                labels[label.Name] = label.Value.GetString() ?? "";
            }
        }
        return labels;
    }
}
