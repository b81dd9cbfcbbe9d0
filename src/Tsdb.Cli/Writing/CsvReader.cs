using System.Text;

namespace Tsdb.Cli.Writing;

/// <summary>RFC 4180 records (quoted fields may hold commas, quotes as <c>""</c> and line breaks), each with the line it starts on.</summary>
internal sealed class CsvReader(TextReader reader)
{
    private int _line;

    /// <summary>The next record, or null at the end. Blank lines are skipped.</summary>
    public (int LineNumber, List<string> Fields)? Read()
    {
        while (true)
        {
            var text = reader.ReadLine();
            if (text is null)
            {
                return null;
            }
            _line++;
            if (text.Length == 0)
            {
                continue;
            }
            var start = _line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var i = 0;
            var quoted = false;
            var wasQuoted = false;
            while (true)
            {
                if (i == text.Length)
                {
                    if (quoted)
                    {
                        // A line break inside quotes belongs to the field.
                        var next = reader.ReadLine() ?? throw new FormatException($"line {start}: a quoted field is not closed");
                        _line++;
                        field.Append('\n');
                        text = next;
                        i = 0;
                        continue;
                    }
                    fields.Add(field.ToString());
                    return (start, fields);
                }
                var c = text[i++];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i < text.Length && text[i] == '"')
                        {
                            field.Append('"');
                            i++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                }
                else if (c == '"' && field.Length == 0 && !wasQuoted)
                {
                    quoted = true;
                    wasQuoted = true;
                }
                else
                {
                    field.Append(c);
                }
            }
        }
    }
}
