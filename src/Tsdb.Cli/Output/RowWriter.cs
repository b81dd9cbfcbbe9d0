using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Tsdb.Cli.Writing;

namespace Tsdb.Cli.Output;

/// <summary>Writes a <see cref="RowSet"/> as a table (Spectre.Console), CSV, a JSON array of objects, or JSON lines.</summary>
internal static class RowWriter
{
    public static readonly string[] Formats = ["pretty", "csv", "json", "jsonl"];

    // Text as it is ("+Inf", "ü"), not \u-escaped: the output is for people and JSON tools, not HTML.
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(RowSet rows, string format, TextWriter output, bool terminal)
    {
        switch (format)
        {
            case "pretty":
                Pretty(rows, output, terminal);
                break;
            case "csv":
                Csv(rows, output);
                break;
            case "json":
            case "jsonl":
                Json(rows, output, lines: format == "jsonl");
                break;
            default:
                throw new Client.CliException($"format '{format}' is not available here: use pretty, csv, json or jsonl", 2);
        }
    }

    /// <summary>A table; numeric columns right-aligned. On a terminal with colours and its width, else plain and unbounded.</summary>
    public static void Pretty(RowSet rows, TextWriter output, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Redirected: lines as long as the table needs, not wrapped at 80 columns.
            console.Profile.Width = 32_767;
        }
        if (rows.Columns.Count == 0)
        {
            console.WriteLine("(no columns)");
            return;
        }
        var table = new Table { Border = TableBorder.Rounded };
        for (var c = 0; c < rows.Columns.Count; c++)
        {
            var numeric = rows.Rows.Count > 0 && rows.Rows.All(r => r[c] is null or double or long || (r[c] is string s && s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)));
            var column = new TableColumn(new Text(rows.Columns[c], new Style(decoration: Decoration.Bold)));
            if (numeric)
            {
                column.RightAligned();
            }
            table.AddColumn(column);
        }
        foreach (var row in rows.Rows)
        {
            table.AddRow(row.Select(v => (Spectre.Console.Rendering.IRenderable)new Text(Display(v))).ToArray());
        }
        table.Caption = new TableTitle(rows.Rows.Count == 1 ? "1 row" : string.Create(CultureInfo.InvariantCulture, $"{rows.Rows.Count:N0} rows"));
        console.Write(table);
    }

    public static void Csv(RowSet rows, TextWriter output)
    {
        output.Write(string.Join(',', rows.Columns.Select(Quote)));
        output.Write('\n');
        foreach (var row in rows.Rows)
        {
            output.Write(string.Join(',', row.Select(v => Quote(Display(v)))));
            output.Write('\n');
        }
    }

    /// <summary>As the server writes JSON rows: nulls left out.</summary>
    public static void Json(RowSet rows, TextWriter output, bool lines)
    {
        using var buffer = new MemoryStream();
        if (!lines)
        {
            output.Write('[');
        }
        for (var r = 0; r < rows.Rows.Count; r++)
        {
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer, JsonOptions))
            {
                json.WriteStartObject();
                for (var c = 0; c < rows.Columns.Count; c++)
                {
                    switch (rows.Rows[r][c])
                    {
                        case null:
                            break;
                        case double d when double.IsFinite(d):
                            json.WriteNumber(rows.Columns[c], d);
                            break;
                        case long l:
                            json.WriteNumber(rows.Columns[c], l);
                            break;
                        case bool b:
                            json.WriteBoolean(rows.Columns[c], b);
                            break;
                        case var v:
                            json.WriteString(rows.Columns[c], Display(v));
                            break;
                    }
                }
                json.WriteEndObject();
            }
            if (!lines && r > 0)
            {
                output.Write(',');
            }
            output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            if (lines)
            {
                output.Write('\n');
            }
        }
        if (!lines)
        {
            output.Write("]\n");
        }
    }

    /// <summary>Rows of a CSV text (header first), values kept as text (empty cells as null).</summary>
    public static RowSet FromCsv(string text)
    {
        var reader = new CsvReader(new StringReader(text));
        var header = reader.Read();
        if (header is null)
        {
            return new RowSet([], []);
        }
        var rows = new List<object?[]>();
        while (reader.Read() is { } record)
        {
            var row = new object?[header.Value.Fields.Count];
            for (var i = 0; i < row.Length && i < record.Fields.Count; i++)
            {
                row[i] = record.Fields[i].Length == 0 ? null : record.Fields[i];
            }
            rows.Add(row);
        }
        return new RowSet(header.Value.Fields, rows);
    }

    private static string Display(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
