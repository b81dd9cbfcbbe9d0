using System.Runtime.CompilerServices;
using System.Text;

namespace Tsdb.Cli.Writing;

/// <summary>Line protocol, passed through line by line; blank lines and <c>#</c> comments are skipped but counted.</summary>
internal sealed class LineProtocolSource(string name, Stream raw, Stream text, long total) : WriteSource(name, total)
{
    public override long Done => Total < 0 ? 0 : raw.Position;

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
    }
}
