using System.Buffers.Binary;
using System.Text;

namespace Tsdb.Catalog.Checkpoints;

/// <summary>
/// Appends the body of a binary checkpoint: unsigned LEB128 varints, zigzag for signed values, and every string as
/// an index into one string table (interned: a database, table, tag name or tag value repeated over 100,000 file
/// entries is stored once). The table is known only at the end, so it goes in front of the body when assembled.
/// </summary>
internal sealed class CheckpointWriter
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _strings = [];
    private byte[] _buffer;
    private int _length;

    public CheckpointWriter(int capacity = 1 << 16)
    {
        _buffer = new byte[capacity];
    }

    public IReadOnlyList<string> Strings => _strings;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        _length++;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUnsigned(ulong value)
    {
        var span = Reserve(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _length += i;
    }

    public void WriteSigned(long value) => WriteUnsigned((ulong)((value << 1) ^ (value >> 63)));

    public void WriteCount(int count) => WriteUnsigned((uint)count);

    public void WriteOptional(long? value)
    {
        WriteBool(value.HasValue);
        if (value is { } v)
        {
            WriteSigned(v);
        }
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);
        _length += 8;
    }

    /// <summary>Clock ticks and offset in minutes, so the value reads back with the offset it was written with.</summary>
    public void WriteTime(DateTimeOffset value)
    {
        WriteSigned(value.Ticks);
        WriteSigned(value.Offset.Ticks / TimeSpan.TicksPerMinute);
    }

    public void WriteOptionalTime(DateTimeOffset? value)
    {
        WriteBool(value.HasValue);
        if (value is { } v)
        {
            WriteTime(v);
        }
    }

    /// <summary>0 for null, else 1 + the string's index in the table.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteUnsigned(0);
            return;
        }
        if (!_ids.TryGetValue(value, out var id))
        {
            id = _strings.Count;
            _ids.Add(value, id);
            _strings.Add(value);
        }
        WriteUnsigned((ulong)id + 1);
    }

    /// <summary>The string table as it is stored: a count, then each string as its UTF-8 length and bytes.</summary>
    public static byte[] StringTable(IReadOnlyList<string> strings)
    {
        var table = new CheckpointWriter(strings.Count * 16 + 16);
        table.WriteCount(strings.Count);
        foreach (var s in strings)
        {
            var byteCount = Encoding.UTF8.GetByteCount(s);
            table.WriteCount(byteCount);
            Encoding.UTF8.GetBytes(s, table.Reserve(byteCount));
            table._length += byteCount;
        }
        return table.Written.ToArray();
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_buffer.Length - _length < bytes)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
        return _buffer.AsSpan(_length);
    }
}
