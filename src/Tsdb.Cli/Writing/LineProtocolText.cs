using System.Globalization;
using System.Text;

namespace Tsdb.Cli.Writing;

/// <summary>Escaping for the parts of a line-protocol line the CSV and Parquet converters build.</summary>
internal static class LineProtocolText
{
    /// <summary>Measurement names escape commas, spaces and backslashes.</summary>
    public static void AppendMeasurement(StringBuilder line, string name)
    {
        if (name.StartsWith('#'))
        {
            throw new FormatException($"the measurement '{name}' starts with '#', which would make the line a comment");
        }
        AppendEscaped(line, name, escapeEquals: false);
    }

    /// <summary>Tag keys, tag values and field keys escape commas, equals signs, spaces and backslashes.</summary>
    public static void AppendKey(StringBuilder line, string text) => AppendEscaped(line, text, escapeEquals: true);

    /// <summary>String field values are double-quoted with <c>"</c> and <c>\</c> escaped.</summary>
    public static void AppendString(StringBuilder line, string value)
    {
        line.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                line.Append('\\');
            }
            line.Append(c);
        }
        line.Append('"');
    }

    /// <summary>A float field as line protocol writes it: the shortest round-trip form, no suffix.</summary>
    public static string Float(double value) =>
        double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : throw new FormatException($"{value.ToString(CultureInfo.InvariantCulture)} cannot be written (line protocol has no NaN or infinity)");

    private static void AppendEscaped(StringBuilder line, string text, bool escapeEquals)
    {
        if (text.Length == 0)
        {
            throw new FormatException("a name or tag value is empty");
        }
        foreach (var c in text)
        {
            if (c is '\n' or '\r')
            {
                throw new FormatException($"'{text.ReplaceLineEndings(" ")}' holds a line break, which line protocol cannot carry in names and tag values");
            }
            if (c is ',' or ' ' or '\\' || (escapeEquals && c == '='))
            {
                line.Append('\\');
            }
            line.Append(c);
        }
    }
}
