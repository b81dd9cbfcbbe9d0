using Tsdb.Catalog;

namespace Tsdb.Prometheus;

/// <summary>
/// How Prometheus series map onto tables, tags and fields, and back.
/// <list type="bullet">
/// <item>A remote-written series becomes a row per sample in the table named by its <c>__name__</c>, its other
/// labels become tags and the sample is the float field <c>value</c>.</item>
/// <item>Reading, a table's numeric field <c>f</c> is the metric <c>{table}_{f}</c>, except that the field
/// <c>value</c> is the metric <c>{table}</c> (Telegraf's convention, and how remote-written data round-trips).</item>
/// <item>A native histogram sample is a row whose <c>value</c> is a marker and whose <c>histogram:*</c> fields hold
/// the histogram (<see cref="HistogramColumns"/>); those fields are no metrics of their own.</item>
/// <item>Exemplars of metric <c>m</c> are rows of the table <c>m#exemplars</c> (<see cref="ExemplarColumns"/>), which
/// is no metric.</item>
/// <item>The labels <c>time</c>, <c>value</c> and <c>exemplar:labels</c> (and any starting <c>histogram:</c>) would collide with the time
/// column and the fields, so they are stored as the tags <c>label:time</c> and <c>label:value</c> (':' cannot appear in a Prometheus label name, so no
/// real label is confused with them) and renamed back when read.</item>
/// </list>
/// </summary>
public static class PrometheusNames
{
    /// <summary>The field a remote-written sample is stored in.</summary>
    public const string ValueField = "value";

    /// <summary>The database the Prometheus endpoints use when the request has no <c>db</c> parameter.</summary>
    public const string DefaultDatabase = "prometheus";

    private const string EscapePrefix = "label:";

    /// <summary>The tag that stores label <paramref name="label"/>.</summary>
    public static string TagOfLabel(string label) =>
        label is TableDefinition.TimeColumn or ValueField or ExemplarColumns.Labels || HistogramColumns.IsHistogramColumn(label) ? EscapePrefix + label : label;

    /// <summary>The label a tag column is read as.</summary>
    public static string LabelOfTag(string tag) =>
        tag.StartsWith(EscapePrefix, StringComparison.Ordinal) && (tag.AsSpan(EscapePrefix.Length) is TableDefinition.TimeColumn or ValueField or ExemplarColumns.Labels
            || tag.AsSpan(EscapePrefix.Length).StartsWith(HistogramColumns.Prefix, StringComparison.Ordinal))
            ? tag[EscapePrefix.Length..]
            : tag;

    /// <summary>The metric name a table's numeric field is read as.</summary>
    public static string MetricOf(string table, string field) => field == ValueField ? table : table + "_" + field;
}
