using System.Text;
using System.Text.Unicode;

namespace Tsdb.LineProtocol;

/// <summary>
/// Reads line protocol from UTF-8 bytes one line at a time, like <c>Utf8JsonReader</c>: a <c>ref struct</c> over a
/// span that keeps its byte position and line number. Blank lines and comments (<c>#</c> as the first character
/// after spaces and tabs) are skipped; lines end at <c>\n</c> or <c>\r\n</c>. A bad line comes back as a
/// <see cref="LineError"/> value and reading goes on with the next line; nothing in the input makes it throw.
/// </summary>
public ref struct LineProtocolReader
{
    private readonly ReadOnlySpan<byte> _input;
    private readonly bool _isFinalBlock;
    private int _position;
    private int _lineNumber;

    /// <param name="input">The UTF-8 bytes to read.</param>
    /// <param name="firstLineNumber">The number of the first line in <paramref name="input"/> (for a body read in pieces).</param>
    /// <param name="isFinalBlock">
    /// False when more bytes follow: a last line without its <c>\n</c> is then left unread, so the caller can carry
    /// the bytes from <see cref="Position"/> on over to the next buffer and continue with <see cref="LineNumber"/>.
    /// </param>
    public LineProtocolReader(ReadOnlySpan<byte> input, int firstLineNumber = 1, bool isFinalBlock = true)
    {
        _input = input;
        _lineNumber = firstLineNumber;
        _isFinalBlock = isFinalBlock;
    }

    /// <summary>The byte offset of the first line not read yet.</summary>
    public readonly int Position => _position;

    /// <summary>The number the next line will get.</summary>
    public readonly int LineNumber => _lineNumber;

    /// <summary>
    /// Reads the next line. False at the end of the input. True with <paramref name="error"/> null when
    /// <paramref name="line"/> holds the parsed line; true with an error when the line was bad (and skipped).
    /// </summary>
    public bool TryReadLine(ParsedLine line, out LineError? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        var input = _input;
        while (_position < input.Length)
        {
            var lineStart = _position;
            var newline = input[lineStart..].IndexOf((byte)'\n');
            int end;
            if (newline >= 0)
            {
                end = lineStart + newline;
                _position = end + 1;
            }
            else if (_isFinalBlock)
            {
                end = input.Length;
                _position = end;
            }
            else
            {
                break;
            }
            if (end > lineStart && input[end - 1] == (byte)'\r')
            {
                end--;
            }
            var lineNumber = _lineNumber++;

            var start = lineStart;
            while (start < end && input[start] is (byte)' ' or (byte)'\t')
            {
                start++;
            }
            if (start == end || input[start] == (byte)'#')
            {
                continue;
            }

            var text = input[lineStart..end];
            string? message;
            int errorPosition;
            if (!Utf8.IsValid(text))
            {
                message = Messages.InvalidUtf8;
                errorPosition = lineStart + FirstInvalidUtf8(text);
            }
            else
            {
                message = LineParser.Parse(input, lineNumber, lineStart, start, end, line, out errorPosition);
            }
            error = message is null
                ? null
                : new LineError(lineNumber, errorPosition - lineStart + 1, message, Encoding.UTF8.GetString(text));
            return true;
        }
        error = null;
        return false;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf8(text[i..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }
            i += consumed;
        }
        return text.Length;
    }
}
