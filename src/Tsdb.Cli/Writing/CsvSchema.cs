using System.Globalization;
using System.Text;

namespace Tsdb.Cli.Writing;

/// <summary>
/// The header of a CSV file and the conversion of its rows to line protocol. Each header cell is
/// <c>[KIND:]NAME[:TYPE]</c>: KIND is <c>measurement</c>, <c>tag</c>, <c>field</c>, <c>time</c> or <c>ignore</c>;
/// TYPE (fields only) is <c>float</c>, <c>integer</c>, <c>uinteger</c>, <c>string</c> or <c>boolean</c>. Without a
/// KIND, <c>time</c> is the time column, <c>measurement</c> (or <c>_measurement</c>, <c>iox::measurement</c>) names
/// the table per row, a name in <c>--tags</c> is a tag and anything else a field of guessed type.
/// </summary>
internal sealed class CsvSchema
{
    private readonly string? _measurement;

    private CsvSchema(IReadOnlyList<CsvColumn> columns, string? measurement)
    {
        Columns = columns;
        _measurement = measurement;
    }

    public IReadOnlyList<CsvColumn> Columns { get; }

    public static CsvSchema Parse(IReadOnlyList<string> header, string? measurement, IReadOnlySet<string>? tags = null)
    {
        var columns = new List<CsvColumn>(header.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var column = ParseCell(header[i].Trim(), tags);
            if (column.Name.Length == 0)
            {
                throw new FormatException($"header column {i + 1} ('{header[i]}') has no name");
            }
            if (column.Kind is CsvColumnKind.Tag or CsvColumnKind.Field && !seen.Add(column.Name))
            {
                throw new FormatException($"header: '{column.Name}' is named twice");
            }
            columns.Add(column);
        }
        if (columns.Count(c => c.Kind == CsvColumnKind.Time) > 1)
        {
            throw new FormatException("header: more than one time column");
        }
        if (columns.Count(c => c.Kind == CsvColumnKind.Measurement) > 1)
        {
            throw new FormatException("header: more than one measurement column");
        }
        if (!columns.Any(c => c.Kind == CsvColumnKind.Field))
        {
            throw new FormatException("header: no field column (name them field:NAME, or leave the prefix out)");
        }
        if (measurement is null && !columns.Any(c => c.Kind == CsvColumnKind.Measurement))
        {
            throw new FormatException("no table name: give --measurement NAME or a 'measurement' column");
        }
        return new CsvSchema(columns, measurement);
    }

    private static CsvColumn ParseCell(string cell, IReadOnlySet<string>? tags)
    {
        if (cell is "measurement" or "_measurement" or "iox::measurement")
        {
            return new CsvColumn(CsvColumnKind.Measurement, cell);
        }
        var colon = cell.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? null : cell[..colon].ToLowerInvariant() switch
        {
            "measurement" => (CsvColumnKind?)CsvColumnKind.Measurement,
            "tag" => CsvColumnKind.Tag,
            "field" => CsvColumnKind.Field,
            "time" => CsvColumnKind.Time,
            "ignore" => CsvColumnKind.Ignore,
            _ => null,
        };
        if (kind is null)
        {
            // No known prefix: the whole cell is the name (so names with a colon stay usable).
            return cell == "time" ? new CsvColumn(CsvColumnKind.Time, cell)
                : tags?.Contains(cell) == true ? new CsvColumn(CsvColumnKind.Tag, cell)
                : new CsvColumn(CsvColumnKind.Field, cell);
        }
        var name = cell[(colon + 1)..];
        if (kind == CsvColumnKind.Field)
        {
            var last = name.LastIndexOf(':');
            if (last > 0 && FieldType(name[(last + 1)..]) is { } type)
            {
                return new CsvColumn(CsvColumnKind.Field, name[..last], type);
            }
        }
        return new CsvColumn(kind.Value, kind == CsvColumnKind.Time && name.Length == 0 ? "time" : name);
    }

    private static CsvFieldType? FieldType(string text) => text.ToLowerInvariant() switch
    {
        "float" or "double" => CsvFieldType.Float,
        "integer" or "int" or "long" => CsvFieldType.Integer,
        "uinteger" or "uint" or "unsigned" => CsvFieldType.UInteger,
        "string" => CsvFieldType.String,
        "boolean" or "bool" => CsvFieldType.Boolean,
        _ => null,
    };

    /// <summary>
    /// One row as a line-protocol line. Empty cells are absent tags and fields (an empty time: the server's time).
    /// Throws <see cref="FormatException"/> with the reason for a row that cannot be written.
    /// </summary>
    public string ToLineProtocol(IReadOnlyList<string> row, long nanosecondsPerUnit)
    {
        if (row.Count != Columns.Count)
        {
            throw new FormatException($"{row.Count} values for {Columns.Count} header columns");
        }
        var measurement = _measurement;
        string? time = null;
        for (var i = 0; i < row.Count; i++)
        {
            switch (Columns[i].Kind)
            {
                case CsvColumnKind.Measurement when row[i].Length > 0:
                    measurement = row[i];
                    break;
                case CsvColumnKind.Time when row[i].Trim().Length > 0:
                    time = row[i];
                    break;
            }
        }
        if (string.IsNullOrEmpty(measurement))
        {
            throw new FormatException("the measurement is empty");
        }
        var line = new StringBuilder(128);
        LineProtocolText.AppendMeasurement(line, measurement);
        for (var i = 0; i < row.Count; i++)
        {
            if (Columns[i].Kind == CsvColumnKind.Tag && row[i].Length > 0)
            {
                line.Append(',');
                LineProtocolText.AppendKey(line, Columns[i].Name);
                line.Append('=');
                LineProtocolText.AppendKey(line, row[i]);
            }
        }
        var fields = 0;
        for (var i = 0; i < row.Count; i++)
        {
            if (Columns[i].Kind != CsvColumnKind.Field || (row[i].Length == 0 && Columns[i].Type != CsvFieldType.String))
            {
                continue;
            }
            line.Append(fields++ == 0 ? ' ' : ',');
            LineProtocolText.AppendKey(line, Columns[i].Name);
            line.Append('=');
            AppendValue(line, Columns[i], row[i]);
        }
        if (fields == 0)
        {
            throw new FormatException("no field values");
        }
        if (time is not null)
        {
            line.Append(' ').Append(TimeText.Parse(time, nanosecondsPerUnit).ToString(CultureInfo.InvariantCulture));
        }
        return line.ToString();
    }

    private static void AppendValue(StringBuilder line, CsvColumn column, string value)
    {
        var text = value.Trim();
        switch (column.Type)
        {
            case CsvFieldType.Float:
                line.Append(LineProtocolText.Float(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Bad(column, value, "a float")));
                break;
            case CsvFieldType.Integer:
                line.Append(long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l.ToString(CultureInfo.InvariantCulture) : throw Bad(column, value, "an integer")).Append('i');
                break;
            case CsvFieldType.UInteger:
                line.Append(ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? u.ToString(CultureInfo.InvariantCulture) : throw Bad(column, value, "an unsigned integer")).Append('u');
                break;
            case CsvFieldType.Boolean:
                var b = Boolean(text) ?? throw Bad(column, value, "a boolean (true or false)");
                line.Append(b ? "true" : "false");
                break;
            case CsvFieldType.String:
                LineProtocolText.AppendString(line, value);
                break;
            default:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var guess) && double.IsFinite(guess))
                {
                    line.Append(LineProtocolText.Float(guess));
                }
                else if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    line.Append(text.Equals("true", StringComparison.OrdinalIgnoreCase) ? "true" : "false");
                }
                else
                {
                    LineProtocolText.AppendString(line, value);
                }
                break;
        }
    }

    private static bool? Boolean(string text) => text.ToLowerInvariant() switch
    {
        "true" or "t" or "1" or "yes" => true,
        "false" or "f" or "0" or "no" => false,
        _ => null,
    };

    private static FormatException Bad(CsvColumn column, string value, string what) => new($"'{column.Name}': '{value}' is not {what}");
}
