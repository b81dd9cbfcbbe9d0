using System.Runtime.CompilerServices;
using System.Text;

namespace Tsdb.Cli.Writing;

/// <summary>CSV with a header naming tags, fields and time (<see cref="CsvSchema"/>), converted row by row.</summary>
internal sealed class CsvSource(string name, Stream raw, Stream text, long total, WriteSourceOptions options) : WriteSource(name, total)
{
    private volatile bool _finished;

    // Read after the last line too, when the reader has closed the file.
    public override long Done => Total < 0 ? 0 : _finished ? Total : raw.CanSeek ? raw.Position : 0;

    public override async IAsyncEnumerable<SourceRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(text, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        var csv = new CsvReader(reader);
        var header = Read(csv) ?? throw new Client.CliException($"{Name}: the file is empty (a CSV file starts with a header)", 2);
        CsvSchema schema;
        try
        {
            schema = CsvSchema.Parse(header.Fields, options.Measurement ?? (Name == "stdin" ? null : Path.GetFileNameWithoutExtension(Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Name[..^3] : Name)), options.Tags);
        }
        catch (FormatException e)
        {
            throw new Client.CliException($"{Name}, line {header.LineNumber}: {e.Message}", 2);
        }
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = Read(csv);
            if (row is null)
            {
                _finished = true;
                yield break;
            }
            var original = string.Join(',', row.Value.Fields.Select(f => f.AsSpan().IndexOfAny(",\"\n") < 0 ? f : "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
            string? line = null, error = null;
            try
            {
                line = schema.ToLineProtocol(row.Value.Fields, options.NanosecondsPerUnit);
            }
            catch (FormatException e)
            {
                error = e.Message;
            }
            catch (OverflowException e)
            {
                error = e.Message;
            }
            yield return new SourceRecord(row.Value.LineNumber, line, error, original);
        }
    }

    private (int LineNumber, List<string> Fields)? Read(CsvReader csv)
    {
        try
        {
            return csv.Read();
        }
        catch (FormatException e)
        {
            throw new Client.CliException($"{Name}: {e.Message}");
        }
    }
}
