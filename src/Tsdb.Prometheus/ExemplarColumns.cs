using System.Buffers;
using System.Text;
using System.Text.Json;
using Tsdb.Core.Schema;

namespace Tsdb.Prometheus;

/// <summary>
/// How exemplars are stored (docs/promql.md, "Storage layout"): the exemplars of metric <c>m</c> are rows of the
/// companion table <c>m#exemplars</c> ('#' is in no classic Prometheus name, and remote write refuses metric names
/// ending so), tagged with the series' labels like the metric's own rows, with the exemplar's value in the float field
/// <c>value</c> and its labels in the string field <c>exemplar:labels</c> as a JSON object. One text field, not a tag or
/// a field per label: trace ids are unique per exemplar, and as tags they would make a series of every exemplar.
/// </summary>
public static class ExemplarColumns
{
    /// <summary>What an exemplar table's name ends with.</summary>
    public const string TableSuffix = "#exemplars";

    /// <summary>The string field with the exemplar's labels, e.g. <c>{"trace_id":"4bf9…"}</c>.</summary>
    public const string Labels = "exemplar:labels";

    /// <summary>Prometheus' limit on an exemplar's labels: names and values together, in UTF-8 characters.</summary>
    public const int MaxLabelRunes = 128;

    /// <summary>The companion table of metric <paramref name="metric"/>.</summary>
    public static string TableOf(string metric) => metric + TableSuffix;

    /// <summary>The metric whose exemplars table <paramref name="table"/> holds, or null when it is no exemplar table.</summary>
    public static string? MetricOf(string table) =>
        table.Length > TableSuffix.Length && table.EndsWith(TableSuffix, StringComparison.Ordinal) ? table[..^TableSuffix.Length] : null;

    public static bool IsExemplarTable(string table) => MetricOf(table) is not null;

    /// <summary>The columns an exemplar row writes besides its tags and time.</summary>
    public static IReadOnlyList<(string Name, ColumnKind Kind)> Fields { get; } = [(PrometheusNames.ValueField, ColumnKind.Float), (Labels, ColumnKind.String)];

    /// <summary>Why Prometheus would refuse these exemplar labels, or null (its wording for the length).</summary>
    public static string? Validate(IReadOnlyList<(string Name, string Value)> labels)
    {
        var runes = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var (name, value) = labels[i];
            if (name.Length == 0)
            {
                return "an exemplar label has an empty name";
            }
            for (var j = 0; j < i; j++)
            {
                if (labels[j].Name == name)
                {
                    return $"exemplar label '{name}' appears more than once";
                }
            }
            runes += RuneCount(name) + RuneCount(value);
        }
        return runes > MaxLabelRunes ? $"label length for exemplar exceeds maximum of {MaxLabelRunes} UTF-8 characters" : null;
    }

    private static int RuneCount(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>The labels as the UTF-8 JSON object stored in <see cref="Labels"/>, in the order sent.</summary>
    public static byte[] Format(IReadOnlyList<(string Name, string Value)> labels)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            for (var i = 0; i < labels.Count; i++)
            {
                json.WriteString(labels[i].Name, labels[i].Value);
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The labels of a stored <see cref="Labels"/> value; null when it is no JSON object of strings (a row another writer made).</summary>
    public static List<(string Name, string Value)>? Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var labels = new List<(string, string)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return null;
                }
                labels.Add((property.Name, property.Value.GetString()!));
            }
            return labels;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Describe(IReadOnlyList<(string Name, string Value)> labels)
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < labels.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(labels[i].Name).Append("=\"").Append(labels[i].Value).Append('"');
        }
        return text.Append('}').ToString();
    }
}
