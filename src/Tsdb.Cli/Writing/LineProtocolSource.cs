using System.Runtime.CompilerServices;
using System.Text;

namespace Tsdb.Cli.Writing;

/// <summary>Line protocol, passed through line by line; blank lines and <c>#</c> comments are skipped but counted.</summary>
internal sealed class LineProtocolSource(string name, Stream raw, Stream text, long total) : WriteSource(name, total)
{
    private volatile bool _finished;

    // Read after the last line too, when the reader has closed the file.
    public override long Done => Total < 0 ? 0 : _finished ? Total : raw.CanSeek ? raw.Position : 0;

    public override async IAsyncEnumerable<SourceRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(text, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        long number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            var trimmed = line.AsSpan().TrimStart();
            if (trimmed.IsEmpty || trimmed[0] == '#')
            {
                continue;
            }
            yield return new SourceRecord(number, line, null, line);
        }
        _finished = true;
    }
}
