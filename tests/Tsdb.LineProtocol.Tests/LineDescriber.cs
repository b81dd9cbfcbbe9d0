using System.Globalization;
using System.Text;

namespace Tsdb.LineProtocol.Tests;

/// <summary>
/// Prints a parsed line in one canonical, unescaped form so that theory tables can state the whole expected result:
/// <c>measurement [tag=value, …] {field:K=value, …} @timestamp</c> with K = F, I, U, S or B.
/// </summary>
internal static class LineDescriber
{
    public static string Describe(ReadOnlySpan<byte> input, ParsedLine line)
    {
        var text = new StringBuilder();
        text.Append(LineProtocolText.GetString(input, line.Measurement, EscapeContext.Measurement));
        text.Append(" [");
        for (var i = 0; i < line.TagCount; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(LineProtocolText.GetString(input, line.GetTagKey(i), EscapeContext.TagKey));
            text.Append('=');
            text.Append(LineProtocolText.GetString(input, line.GetTagValue(i), EscapeContext.TagValue));
        }
        text.Append("] {");
        for (var i = 0; i < line.FieldCount; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(LineProtocolText.GetString(input, line.GetFieldKey(i), EscapeContext.FieldKey));
            switch (line.GetFieldKind(i))
            {
                case FieldKind.Float:
                    text.Append(":F=").Append(line.GetFloat(i).ToString("R", CultureInfo.InvariantCulture));
                    break;
                case FieldKind.Integer:
                    text.Append(":I=").Append(line.GetInteger(i).ToString(CultureInfo.InvariantCulture));
                    break;
                case FieldKind.UInteger:
                    text.Append(":U=").Append(line.GetUInteger(i).ToString(CultureInfo.InvariantCulture));
                    break;
                case FieldKind.Boolean:
                    text.Append(":B=").Append(line.GetBoolean(i) ? "true" : "false");
                    break;
                case FieldKind.String:
                    text.Append(":S=\"").Append(LineProtocolText.GetString(input, line.GetStringValue(i), EscapeContext.StringFieldValue)).Append('"');
                    break;
            }
        }
        text.Append('}');
        if (line.HasTimestamp)
        {
            text.Append(" @").Append(line.Timestamp.ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>Reads every line; each entry is either "L{n}: description" or "L{n}:{column}: message".</summary>
    public static List<string> ReadAll(byte[] input, int firstLineNumber = 1)
    {
        var results = new List<string>();
        var line = new ParsedLine();
        var reader = new LineProtocolReader(input, firstLineNumber);
        while (reader.TryReadLine(line, out var error))
        {
            results.Add(error is { } e
                ? $"L{e.LineNumber}:{e.Column}: {e.Message}"
                : $"L{line.LineNumber}: {Describe(input, line)}");
        }
        return results;
    }
}
