using System.Globalization;
using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Server.Http;

/// <summary>
/// The <c>pretty</c> format: ASCII tables as InfluxDB 3 (Arrow's pretty printer) draws them, <c>+---+</c> rules and
/// cells left-aligned. Column widths need the rows first, so the answer is drawn in blocks of <see cref="BlockRows"/>
/// rows, each a complete table with its own widths (as psql-like tools page a long answer): an answer of up to
/// <see cref="BlockRows"/> rows is exactly InfluxDB 3's table, a longer one streams with memory bounded by one block.
/// </summary>
internal sealed class PrettyTable(IReadOnlyList<string> headers)
{
    public const int BlockRows = 1000;

    private readonly List<string[]> _rows = [];
    private bool _drewAny;

    /// <summary>Adds a batch's rows; returns the text of the blocks it completed (empty when none).</summary>
    public byte[] Add(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        StringBuilder? sb = null;
        for (var row = 0; row < batch.Length; row++)
        {
            var cells = new string[batch.ColumnCount];
            for (var c = 0; c < cells.Length; c++)
            {
                cells[c] = Display(batch.Column(c), row);
            }
            _rows.Add(cells);
            if (_rows.Count == BlockRows)
            {
                Draw(sb ??= new StringBuilder());
            }
        }
        return sb is null ? [] : Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>The last block; the header alone (between rules) when the answer had no rows.</summary>
    public byte[] Finish()
    {
        if (_rows.Count == 0 && _drewAny)
        {
            return [];
        }
        var sb = new StringBuilder();
        Draw(sb);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private void Draw(StringBuilder sb)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var cells in _rows)
        {
            for (var c = 0; c < cells.Length; c++)
            {
                widths[c] = Math.Max(widths[c], cells[c].Length);
            }
        }
        void Rule()
        {
            sb.Append('+');
            foreach (var w in widths)
            {
                sb.Append('-', w + 2).Append('+');
            }
            sb.Append('\n');
        }
        void Line(IReadOnlyList<string> cells)
        {
            sb.Append('|');
            for (var c = 0; c < cells.Count; c++)
            {
                sb.Append(' ').Append(cells[c].PadRight(widths[c])).Append(" |");
            }
            sb.Append('\n');
        }
        Rule();
        Line(headers);
        Rule();
        foreach (var r in _rows)
        {
            Line(r);
        }
        if (_rows.Count > 0)
        {
            Rule();
        }
        _rows.Clear();
        _drewAny = true;
    }

    private static string Display(ArrowArray column, int row)
    {
        if (column.IsNull(row))
        {
            return "";
        }
        return column.Type.Id switch
        {
            ArrowTypeId.Timestamp => QueryEndpoints.FormatTimestamp(column, row),
            ArrowTypeId.Boolean => ((BooleanArray)column).GetValue(row) ? "true" : "false",
            ArrowTypeId.Float64 => FloatText(((DoubleArray)column).GetValue(row)),
            _ => Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture) ?? "",
        };
    }

    /// <summary>A float as Arrow displays it: whole numbers keep ".0".</summary>
    private static string FloatText(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(d) && s.AsSpan().IndexOfAny(".Ee") < 0 ? s + ".0" : s;
    }
}
