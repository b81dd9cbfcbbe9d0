using System.Globalization;
using System.Text;

namespace Tsdb.LineProtocol;

/// <summary>
/// Builds line protocol into a growable UTF-8 buffer, escaping as the reader expects:
/// <c>Measurement(…)</c>, any <c>Tag(…)</c>, one or more <c>Field(…)</c>, optional <c>Timestamp(…)</c>, then
/// <c>EndLine()</c>. Text that line protocol cannot carry (empty names, newlines, a measurement starting with
/// <c>#</c> or a tab, NaN or infinity, invalid UTF-16) is refused with an <see cref="ArgumentException"/>;
/// calls out of order throw <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class LineProtocolWriter
{
    private byte[] _buffer;
    private byte[] _scratch = new byte[256];
    private int _length;
    private State _state;

    public LineProtocolWriter(int initialCapacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = new byte[Math.Max(initialCapacity, 16)];
    }

    private enum State
    {
        LineStart,
        AfterMeasurement,
        InFields,
        AfterTimestamp,
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public int WrittenCount => _length;

    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Forgets everything written (keeps the buffer), including a line in progress.</summary>
    public void Clear()
    {
        _length = 0;
        _state = State.LineStart;
    }

    public LineProtocolWriter Measurement(string name)
    {
        Expect(_state == State.LineStart, "Measurement() starts a line; end the previous one with EndLine().");
        CheckName(name, nameof(name));
        if (name[0] is '#' or '\t')
        {
            throw new ArgumentException("A measurement cannot start with '#' or a tab: the line would be a comment or lose it.", nameof(name));
        }
        WriteEscaped(name, EscapeContext.Measurement);
        _state = State.AfterMeasurement;
        return this;
    }

    public LineProtocolWriter Tag(string key, string value)
    {
        Expect(_state == State.AfterMeasurement, "Tag() comes after Measurement() and before the first Field().");
        CheckName(key, nameof(key));
        CheckName(value, nameof(value));
        WriteByte((byte)',');
        WriteEscaped(key, EscapeContext.TagKey);
        WriteByte((byte)'=');
        WriteEscaped(value, EscapeContext.TagValue);
        return this;
    }

    public LineProtocolWriter Field(string key, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Line protocol has no NaN or infinity.");
        }
        StartField(key);
        // "R" is the shortest text that parses back to the same double (e.g. 0.1, 1E+20, -1.5E-05).
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, "R", CultureInfo.InvariantCulture))
        {
            Grow(32);
        }
        _length += written;
        return this;
    }

    public LineProtocolWriter Field(string key, long value)
    {
        StartField(key);
        WriteInteger(value);
        WriteByte((byte)'i');
        return this;
    }

    public LineProtocolWriter Field(string key, ulong value)
    {
        StartField(key);
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, default, CultureInfo.InvariantCulture))
        {
            Grow(32);
        }
        _length += written;
        WriteByte((byte)'u');
        return this;
    }

    public LineProtocolWriter Field(string key, bool value)
    {
        StartField(key);
        WriteBytes(value ? "true"u8 : "false"u8);
        return this;
    }

    public LineProtocolWriter Field(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckText(value, nameof(value));
        StartField(key);
        WriteByte((byte)'"');
        WriteEscaped(value, EscapeContext.StringFieldValue);
        WriteByte((byte)'"');
        return this;
    }

    /// <summary>Writes the timestamp as given (in whatever precision the request will name).</summary>
    public LineProtocolWriter Timestamp(long value)
    {
        Expect(_state == State.InFields, "Timestamp() comes after the fields, once.");
        WriteByte((byte)' ');
        WriteInteger(value);
        _state = State.AfterTimestamp;
        return this;
    }

    public LineProtocolWriter EndLine()
    {
        Expect(_state is State.InFields or State.AfterTimestamp, "A line needs at least one field before EndLine().");
        WriteByte((byte)'\n');
        _state = State.LineStart;
        return this;
    }

    private void StartField(string key)
    {
        Expect(_state is State.AfterMeasurement or State.InFields, "Field() comes after Measurement() or Tag() and before Timestamp().");
        CheckName(key, nameof(key));
        WriteByte(_state == State.InFields ? (byte)',' : (byte)' ');
        WriteEscaped(key, EscapeContext.FieldKey);
        WriteByte((byte)'=');
        _state = State.InFields;
    }

    private static void CheckName(string text, string parameter)
    {
        ArgumentNullException.ThrowIfNull(text, parameter);
        if (text.Length == 0)
        {
            throw new ArgumentException("Line protocol names and tag values cannot be empty.", parameter);
        }
        CheckText(text, parameter);
    }

    /// <summary>Checked before anything is written, so that a refused call leaves the output as it was.</summary>
    private static void CheckText(string text, string parameter)
    {
        if (text.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("Line protocol cannot carry a newline in a name or value.", parameter);
        }
        var span = text.AsSpan();
        if (span.ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            for (var i = 0; i < span.Length; i++)
            {
                if (char.IsSurrogate(span[i]))
                {
                    if (!char.IsHighSurrogate(span[i]) || i + 1 == span.Length || !char.IsLowSurrogate(span[i + 1]))
                    {
                        throw new ArgumentException("The text is not valid UTF-16 (a lone surrogate).", parameter);
                    }
                    i++;
                }
            }
        }
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    private void WriteEscaped(string text, EscapeContext context)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_scratch.Length < max)
        {
            _scratch = new byte[Math.Max(max, _scratch.Length * 2)];
        }
        var count = Encoding.UTF8.GetBytes(text, _scratch);
        EnsureRoom(count * 2);
        var destination = _buffer;
        var length = _length;
        for (var i = 0; i < count; i++)
        {
            var b = _scratch[i];
            if (LineProtocolText.IsEscapable(b, context))
            {
                destination[length++] = (byte)'\\';
            }
            destination[length++] = b;
        }
        _length = length;
    }

    private void WriteInteger(long value)
    {
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, default, CultureInfo.InvariantCulture))
        {
            Grow(32);
        }
        _length += written;
    }

    private void WriteByte(byte value)
    {
        EnsureRoom(1);
        _buffer[_length++] = value;
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        EnsureRoom(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void EnsureRoom(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }
    }

    private void Grow(int count) =>
        Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + count)));
}
