using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Tsdb.LineProtocol;

/// <summary>
/// Turns escaped ranges of a line into text. A backslash escapes the characters of its context (see
/// <see cref="EscapeContext"/>); a backslash before any other character, or at the end, stays as it is.
/// </summary>
public static class LineProtocolText
{
    private const int StackLimit = 256;

    /// <summary>
    /// Writes the unescaped form of <paramref name="raw"/> to <paramref name="destination"/> and returns its length,
    /// which is never more than <c>raw.Length</c>.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> raw, EscapeContext context, Span<byte> destination)
    {
        var written = 0;
        while (true)
        {
            var slash = raw.IndexOf((byte)'\\');
            var plain = slash < 0 ? raw.Length : slash;
            if (written + plain > destination.Length)
            {
                ThrowDestinationTooSmall();
            }
            raw[..plain].CopyTo(destination[written..]);
            written += plain;
            if (slash < 0)
            {
                return written;
            }
            // One byte comes out of either "\x" (x escapable) or a literal backslash.
            if (written == destination.Length)
            {
                ThrowDestinationTooSmall();
            }
            if (slash + 1 < raw.Length && IsEscapable(raw[slash + 1], context))
            {
                destination[written++] = raw[slash + 1];
                raw = raw[(slash + 2)..];
            }
            else
            {
                destination[written++] = (byte)'\\';
                raw = raw[(slash + 1)..];
            }
        }
    }

    /// <summary>The text of <paramref name="range"/> in <paramref name="input"/>, unescaped.</summary>
    public static string GetString(ReadOnlySpan<byte> input, TextRange range, EscapeContext context)
    {
        var raw = input.Slice(range.Start, range.Length);
        if (!range.HasEscapes)
        {
            return Encoding.UTF8.GetString(raw);
        }
        byte[]? rented = null;
        var buffer = raw.Length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            var length = Unescape(raw, context, buffer);
            return Encoding.UTF8.GetString(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Whether the unescaped text of <paramref name="range"/> equals <paramref name="unescaped"/>, without allocating.</summary>
    public static bool Equals(ReadOnlySpan<byte> input, TextRange range, EscapeContext context, ReadOnlySpan<byte> unescaped)
    {
        var raw = input.Slice(range.Start, range.Length);
        if (!range.HasEscapes)
        {
            return raw.SequenceEqual(unescaped);
        }
        var cursor = new Cursor(raw, context);
        var i = 0;
        while (cursor.TryNext(out var b))
        {
            if (i == unescaped.Length || unescaped[i] != b)
            {
                return false;
            }
            i++;
        }
        return i == unescaped.Length;
    }

    /// <summary>Whether two escaped ranges have the same unescaped text (contexts with the same escape set).</summary>
    internal static bool RawEquals(ReadOnlySpan<byte> input, TextRange a, TextRange b, EscapeContext context)
    {
        var rawA = input.Slice(a.Start, a.Length);
        var rawB = input.Slice(b.Start, b.Length);
        if (!a.HasEscapes && !b.HasEscapes)
        {
            return rawA.SequenceEqual(rawB);
        }
        var left = new Cursor(rawA, context);
        var right = new Cursor(rawB, context);
        while (true)
        {
            var hasLeft = left.TryNext(out var x);
            var hasRight = right.TryNext(out var y);
            if (hasLeft != hasRight)
            {
                return false;
            }
            if (!hasLeft)
            {
                return true;
            }
            if (x != y)
            {
                return false;
            }
        }
    }

    internal static bool IsEscapable(byte b, EscapeContext context) => context switch
    {
        EscapeContext.Measurement => b is (byte)',' or (byte)' ' or (byte)'\\',
        EscapeContext.StringFieldValue => b is (byte)'"' or (byte)'\\',
        _ => b is (byte)',' or (byte)'=' or (byte)' ' or (byte)'\\',
    };

    [DoesNotReturn]
    private static void ThrowDestinationTooSmall() =>
        throw new ArgumentException("The destination is shorter than the unescaped text.", "destination");

    /// <summary>Yields the unescaped bytes of a raw range one at a time.</summary>
    private ref struct Cursor
    {
        private readonly ReadOnlySpan<byte> _raw;
        private readonly EscapeContext _context;
        private int _position;

        public Cursor(ReadOnlySpan<byte> raw, EscapeContext context)
        {
            _raw = raw;
            _context = context;
        }

        public bool TryNext(out byte value)
        {
            if (_position >= _raw.Length)
            {
                value = 0;
                return false;
            }
            value = _raw[_position++];
            if (value == (byte)'\\' && _position < _raw.Length && IsEscapable(_raw[_position], _context))
            {
                value = _raw[_position++];
            }
            return true;
        }
    }
}
