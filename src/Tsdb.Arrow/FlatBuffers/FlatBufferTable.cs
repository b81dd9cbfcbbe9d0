using System.Buffers.Binary;
using System.Text;

namespace Tsdb.Arrow.FlatBuffers;

/// <summary>
/// Reads one flatbuffer table with every position checked against the buffer, so hostile metadata can only
/// produce an <see cref="ArrowFormatException"/>.
/// </summary>
internal readonly struct FlatBufferTable
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly int _position;
    private readonly int _vtable;
    private readonly int _vtableSize;

    private FlatBufferTable(ReadOnlyMemory<byte> buffer, int position)
    {
        _buffer = buffer;
        _position = position;
        var span = buffer.Span;
        CheckRange(span, position, 4);
        var vtable = (long)position - BinaryPrimitives.ReadInt32LittleEndian(span[position..]);
        if (vtable < 0 || vtable + 4 > span.Length)
        {
            throw Corrupt("vtable outside the buffer");
        }
        _vtable = (int)vtable;
        _vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(span[_vtable..]);
        if (_vtableSize < 4 || (_vtableSize & 1) != 0 || _vtable + _vtableSize > span.Length)
        {
            throw Corrupt("bad vtable size");
        }
        var tableSize = BinaryPrimitives.ReadUInt16LittleEndian(span[(_vtable + 2)..]);
        CheckRange(span, position, Math.Max((int)tableSize, 4));
    }

    /// <summary>The root table of a finished flatbuffer.</summary>
    public static FlatBufferTable Root(ReadOnlyMemory<byte> buffer)
    {
        var span = buffer.Span;
        CheckRange(span, 0, 4);
        var root = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (root >= (uint)span.Length)
        {
            throw Corrupt("root offset outside the buffer");
        }
        return new FlatBufferTable(buffer, (int)root);
    }

    /// <summary>Position of <paramref name="field"/>'s value, or 0 when absent.</summary>
    private int FieldPosition(int field)
    {
        var slot = 4 + (field * 2);
        if (slot + 2 > _vtableSize)
        {
            return 0;
        }
        var relative = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.Span[(_vtable + slot)..]);
        return relative == 0 ? 0 : _position + relative;
    }

    private int ScalarPosition(int field, int size)
    {
        var position = FieldPosition(field);
        if (position != 0)
        {
            CheckRange(_buffer.Span, position, size);
        }
        return position;
    }

    public bool Has(int field) => FieldPosition(field) != 0;

    public byte GetByte(int field, byte defaultValue = 0)
    {
        var p = ScalarPosition(field, 1);
        return p == 0 ? defaultValue : _buffer.Span[p];
    }

    public bool GetBool(int field, bool defaultValue = false)
    {
        var p = ScalarPosition(field, 1);
        return p == 0 ? defaultValue : _buffer.Span[p] != 0;
    }

    public short GetShort(int field, short defaultValue = 0)
    {
        var p = ScalarPosition(field, 2);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadInt16LittleEndian(_buffer.Span[p..]);
    }

    public int GetInt(int field, int defaultValue = 0)
    {
        var p = ScalarPosition(field, 4);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadInt32LittleEndian(_buffer.Span[p..]);
    }

    public long GetLong(int field, long defaultValue = 0)
    {
        var p = ScalarPosition(field, 8);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadInt64LittleEndian(_buffer.Span[p..]);
    }

    /// <summary>Follows the uoffset stored at <paramref name="position"/>.</summary>
    private int Indirect(int position)
    {
        var span = _buffer.Span;
        CheckRange(span, position, 4);
        var target = (long)position + BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
        if (target >= span.Length)
        {
            throw Corrupt("offset points outside the buffer");
        }
        return (int)target;
    }

    public FlatBufferTable? GetTable(int field)
    {
        var p = FieldPosition(field);
        return p == 0 ? null : new FlatBufferTable(_buffer, Indirect(p));
    }

    public string? GetString(int field)
    {
        var p = FieldPosition(field);
        if (p == 0)
        {
            return null;
        }
        var (start, length) = VectorAt(Indirect(p), 1);
        try
        {
            return Encoding.UTF8.GetString(_buffer.Span.Slice(start, length));
        }
        catch (ArgumentException e)
        {
            throw new ArrowFormatException("flatbuffer string is not valid UTF-8", e);
        }
    }

    /// <summary>Start and element count of a vector field, or (0, 0) when absent.</summary>
    public (int Start, int Count) GetVector(int field, int elementSize)
    {
        var p = FieldPosition(field);
        return p == 0 ? (0, 0) : VectorAt(Indirect(p), elementSize);
    }

    private (int Start, int Count) VectorAt(int position, int elementSize)
    {
        var span = _buffer.Span;
        CheckRange(span, position, 4);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
        var start = position + 4;
        if (count > (uint)(span.Length - start) / (uint)elementSize)
        {
            throw Corrupt("vector runs past the end of the buffer");
        }
        return (start, (int)count);
    }

    /// <summary>Element <paramref name="index"/> of a vector of tables.</summary>
    public FlatBufferTable GetVectorTable(int vectorStart, int index) => new(_buffer, Indirect(vectorStart + (index * 4)));

    public long ReadLongAt(int position)
    {
        CheckRange(_buffer.Span, position, 8);
        return BinaryPrimitives.ReadInt64LittleEndian(_buffer.Span[position..]);
    }

    public int ReadIntAt(int position)
    {
        CheckRange(_buffer.Span, position, 4);
        return BinaryPrimitives.ReadInt32LittleEndian(_buffer.Span[position..]);
    }

    private static void CheckRange(ReadOnlySpan<byte> span, int position, int size)
    {
        if (position < 0 || size < 0 || position > span.Length - size)
        {
            throw Corrupt("field outside the buffer");
        }
    }

    private static ArrowFormatException Corrupt(string what) => new($"corrupt flatbuffer metadata: {what}");
}
