using System.Text.RegularExpressions;

namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>
/// Grafana's template variable substitution (the frontend's <c>templateSrv.replace</c>) with the interpolation function
/// of each data source, written from Grafana's sources (read, not copied):
/// <list type="bullet">
/// <item>syntax <c>$var</c>, <c>${var}</c>, <c>${var:format}</c>, <c>[[var]]</c>; a name that is not a variable is left
/// alone (so <c>$__interval</c>, <c>$timeFilter</c> and the SQL macros reach the backend untouched);</item>
/// <item>explicit formats (<c>public/app/features/templating/formatRegistry.ts</c>): <c>sqlstring</c> → <c>'a','b'</c>
/// (quotes doubled), <c>singlequote</c>, <c>doublequote</c>, <c>csv</c>, <c>pipe</c>, <c>regex</c> → <c>(a|b)</c>,
/// <c>raw</c>/<c>text</c>;</item>
/// <item>Prometheus without a format (<c>interpolateQueryExpr</c> in the Prometheus data source, classic behaviour): a
/// single-value variable gets <c>\</c> and <c>'</c> escaped; a multi-value one each value regex-escaped
/// (<c>prometheusSpecialRegexEscape</c>: <c>$^*{}[]+?.()|</c> and <c>\</c>, doubled for the PromQL string) and, with
/// more than one value, joined as <c>(a|b)</c>;</item>
/// <item>InfluxDB without a format (<c>interpolateQueryExpr</c> in the InfluxDB data source, used for InfluxQL and for
/// SQL mode's <c>rawSql</c> alike): a value JavaScript's parseFloat reads as a number is left as is; a multi-value
/// variable's values are regex-escaped (<c>escapeRegex</c>) and joined as <c>(a|b)</c>, even a single one; a
/// single-value variable is escaped only where it stands inside an InfluxQL <c>=~ /…/</c> or <c>!~ /…/</c>.</item>
/// </list>
/// So SQL needs <c>${var:sqlstring}</c> for an <c>IN (…)</c> list: in SQL mode the InfluxDB data source renders a
/// multi-value variable as a regex, as in InfluxQL (Grafana's own SQL data sources, PostgreSQL and MySQL, quote
/// instead).
/// </summary>
internal static partial class GrafanaTemplate
{
    public static string Replace(string text, IReadOnlyDictionary<string, GrafanaVariableValue> variables, GrafanaDataSourceKind kind)
    {
        return VariableReference().Replace(text, match =>
        {
            var name = FirstSuccess(match, 1, 2, 4);
            var format = FirstSuccess(match, 3, 6);
            if (name is null || !variables.TryGetValue(name, out var variable))
            {
                return match.Value;
            }
            return format is null ? Interpolate(variable, kind, text) : Format(variable, format);
        });
    }

    private static string? FirstSuccess(Match match, params int[] groups)
    {
        foreach (var g in groups)
        {
            if (match.Groups[g].Success)
            {
                return match.Groups[g].Value;
            }
        }
        return null;
    }

    private static string Format(GrafanaVariableValue variable, string format)
    {
        var values = variable.Values;
        return format switch
        {
            "sqlstring" => string.Join(',', values.Select(v => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'")),
            "singlequote" => string.Join(',', values.Select(v => "'" + v.Replace("'", "\\'", StringComparison.Ordinal) + "'")),
            "doublequote" => string.Join(',', values.Select(v => "\"" + v.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")),
            "csv" or "raw" or "text" => string.Join(',', values),
            "pipe" => string.Join('|', values),
            "regex" => values.Count == 1 ? EscapeRegex(values[0]) : "(" + string.Join('|', values.Select(EscapeRegex)) + ")",
            _ => throw new NotSupportedException($"variable format '{format}' is not implemented by this test"),
        };
    }

    private static string Interpolate(GrafanaVariableValue variable, GrafanaDataSourceKind kind, string query) => kind switch
    {
        GrafanaDataSourceKind.Prometheus => InterpolatePrometheus(variable),
        _ => InterpolateInflux(variable, query),
    };

    private static string InterpolatePrometheus(GrafanaVariableValue variable)
    {
        if (!variable.Multi)
        {
            return variable.Values[0].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\\\'", StringComparison.Ordinal);
        }
        var escaped = variable.Values.Select(PrometheusSpecialRegexEscape).ToList();
        return escaped.Count == 1 ? escaped[0] : "(" + string.Join('|', escaped) + ")";
    }

    private static string PrometheusSpecialRegexEscape(string value) =>
        PrometheusRegexMeta().Replace(value.Replace("\\", "\\\\\\\\", StringComparison.Ordinal), m => "\\\\" + m.Value);

    private static string InterpolateInflux(GrafanaVariableValue variable, string query)
    {
        if (!variable.Multi)
        {
            var value = variable.Values[0];
            if (IsJavaScriptNumber(value))
            {
                return value;
            }
            // Escaped only where the variable stands inside an InfluxQL regex literal.
            var inRegex = new Regex(@"[=!]~\s*/[^/]*\$\{?" + Regex.Escape(variable.Name) + @"\b[^/]*/");
            return inRegex.IsMatch(query) ? EscapeRegex(value) : value;
        }
        return "(" + string.Join('|', variable.Values.Select(EscapeRegex)) + ")";
    }

    /// <summary>@grafana/data's escapeRegex.</summary>
    public static string EscapeRegex(string value) => RegexMeta().Replace(value, m => "\\" + m.Value);

    /// <summary>True when JavaScript's parseFloat finds a number at the start (it ignores what follows: "12ab" is 12).</summary>
    private static bool IsJavaScriptNumber(string value) => JavaScriptFloatPrefix().IsMatch(value);

    // Grafana's variable regex: $var | [[var(:format)]] | ${var(.field)(:format)}.
    [GeneratedRegex(@"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"[$^*{}\[\]+?.()|]")]
    private static partial Regex PrometheusRegexMeta();

    [GeneratedRegex(@"[\\^$*+?.()|\[\]{}/]")]
    private static partial Regex RegexMeta();

    [GeneratedRegex(@"^\s*[+-]?(Infinity|\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)")]
    private static partial Regex JavaScriptFloatPrefix();
}
