using System.Globalization;
using System.Text;

namespace Tsdb.Flight;

/// <summary>A growable byte buffer for line protocol that can be cut back to an earlier length (to drop a row).</summary>
internal sealed class LineBuffer(int capacity)
{
    private byte[] _buffer = new byte[Math.Max(capacity, 256)];

    public int Length { get; set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    /// <summary>A measurement, tag key, tag value or field key: commas and spaces (and '=' outside measurements) escaped.</summary>
    public void Escaped(ReadOnlySpan<byte> utf8, bool escapeEquals)
    {
        Ensure(utf8.Length * 2);
        foreach (var b in utf8)
        {
            if (b is (byte)',' or (byte)' ' || (escapeEquals && b == (byte)'='))
            {
                _buffer[Length++] = (byte)'\\';
            }
            _buffer[Length++] = b;
        }
    }

    /// <summary>A string field value: quoted, with '"' and '\' escaped.</summary>
    public void Quoted(ReadOnlySpan<byte> utf8)
    {
        Ensure((utf8.Length * 2) + 2);
        _buffer[Length++] = (byte)'"';
        foreach (var b in utf8)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                _buffer[Length++] = (byte)'\\';
            }
            _buffer[Length++] = b;
        }
        _buffer[Length++] = (byte)'"';
    }

    public void Int64(long value)
    {
        Ensure(24);
        value.TryFormat(_buffer.AsSpan(Length), out var n, default, CultureInfo.InvariantCulture);
        Length += n;
    }

    public void UInt64(ulong value)
    {
        Ensure(24);
        value.TryFormat(_buffer.AsSpan(Length), out var n, default, CultureInfo.InvariantCulture);
        Length += n;
    }

    /// <summary>The shortest text that reads back as the same double.</summary>
    public void Double(double value)
    {
        Ensure(32);
        value.TryFormat(_buffer.AsSpan(Length), out var n, "R", CultureInfo.InvariantCulture);
        Length += n;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private void Ensure(int more)
    {
        if (Length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + more));
        }
    }
}
