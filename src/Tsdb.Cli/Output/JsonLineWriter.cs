using System.Text;
using System.Text.Json;

namespace Tsdb.Cli.Output;

/// <summary>
/// Under <c>--log-format json</c>, the server's own lines (start-up, admin token banner, shutdown) become objects of
/// the same shape as the request log's, so every line on standard output parses as JSON for a log shipper. Text is
/// collected up to each newline; blank lines and the banner's rules are dropped; a line is written whole to the inner
/// writer (which the console keeps synchronised with the logger's thread).
/// </summary>
internal sealed class JsonLineWriter(TextWriter inner, string category) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (value == '\n')
            {
                EmitLine();
            }
            else if (value != '\r')
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }
        lock (_gate)
        {
            foreach (var c in value)
            {
                Write(c);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            Write(value);
            EmitLine();
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            inner.Flush();
        }
    }

    private void EmitLine()
    {
        var text = _line.ToString().Trim();
        _line.Clear();
        if (text.Length == 0 || text.All(c => c == '='))
        {
            return;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("Timestamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", 0);
            json.WriteString("LogLevel", text.StartsWith("warning:", StringComparison.Ordinal) ? "Warning" : "Information");
            json.WriteString("Category", category);
            json.WriteString("Message", text);
            json.WriteEndObject();
        }
        inner.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
