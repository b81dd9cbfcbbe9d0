using System.Buffers.Binary;
using System.Text;

namespace Tsdb.Arrow.FlatBuffers;

/// <summary>
/// A minimal flatbuffer encoder, written from the flatbuffers format description: the buffer is filled from the
/// back, so children are written before the tables that point at them and every uoffset points forward.
/// Offsets returned by this class are measured from the end of the buffer, as in the reference builders.
/// </summary>
public sealed class FlatBufferBuilder
{
    private byte[] _buffer;
    private int _space;               // first used byte; data lives in _buffer[_space..]
    private int _minAlign = 1;
    private int[] _vtable = new int[16];
    private int _vtableFields;
    private int _objectStart;
    private bool _inTable;
    private int _vectorCount;

    public FlatBufferBuilder(int initialSize = 256)
    {
        _buffer = new byte[initialSize];
        _space = initialSize;
    }

    /// <summary>Bytes written so far, which is also the offset of the last thing written.</summary>
    public int Offset => _buffer.Length - _space;

    public void Clear()
    {
        _space = _buffer.Length;
        _minAlign = 1;
        _inTable = false;
        _vtableFields = 0;
    }

    private void Grow()
    {
        var oldLength = _buffer.Length;
        var next = new byte[oldLength * 2];
        Buffer.BlockCopy(_buffer, 0, next, oldLength, oldLength);
        _space += oldLength;
        _buffer = next;
    }

    /// <summary>Pads so that, after <paramref name="additional"/> more bytes, a value of <paramref name="size"/> is aligned.</summary>
    private void Prep(int size, int additional)
    {
        if (size > _minAlign)
        {
            _minAlign = size;
        }
        var alignPad = (~(Offset + additional) + 1) & (size - 1);
        while (_space < alignPad + size + additional)
        {
            Grow();
        }
        for (var i = 0; i < alignPad; i++)
        {
            _buffer[--_space] = 0;
        }
    }

    private void PutByte(byte value) => _buffer[--_space] = value;

    private void PutShort(short value)
    {
        _space -= 2;
        BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(_space), value);
    }

    private void PutInt(int value)
    {
        _space -= 4;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_space), value);
    }

    private void PutLong(long value)
    {
        _space -= 8;
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_space), value);
    }

    public void AddByte(byte value)
    {
        Prep(1, 0);
        PutByte(value);
    }

    public void AddShort(short value)
    {
        Prep(2, 0);
        PutShort(value);
    }

    public void AddInt(int value)
    {
        Prep(4, 0);
        PutInt(value);
    }

    public void AddLong(long value)
    {
        Prep(8, 0);
        PutLong(value);
    }

    /// <summary>Writes a uoffset to something written earlier (at offset <paramref name="target"/>).</summary>
    public void AddOffset(int target)
    {
        Prep(4, 0);
        PutInt(Offset - target + 4);
    }

    public int CreateString(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        Prep(4, byteCount + 1);
        PutByte(0);
        _space -= byteCount;
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_space, byteCount));
        PutInt(byteCount);
        return Offset;
    }

    /// <summary>Starts a vector; write its elements last to first, then call <see cref="EndVector"/>.</summary>
    public void StartVector(int elementSize, int count, int alignment)
    {
        if (_inTable)
        {
            throw new InvalidOperationException("vectors cannot be built inside a table");
        }
        _vectorCount = count;
        Prep(4, elementSize * count);
        Prep(alignment, elementSize * count);
    }

    public int EndVector()
    {
        // The elements already sit aligned; the length prefix follows them directly.
        PutInt(_vectorCount);
        return Offset;
    }

    public int CreateOffsetVector(ReadOnlySpan<int> offsets)
    {
        StartVector(4, offsets.Length, 4);
        for (var i = offsets.Length - 1; i >= 0; i--)
        {
            AddOffset(offsets[i]);
        }
        return EndVector();
    }

    public int CreateLongVector(ReadOnlySpan<long> values)
    {
        StartVector(8, values.Length, 8);
        for (var i = values.Length - 1; i >= 0; i--)
        {
            AddLong(values[i]);
        }
        return EndVector();
    }

    public void StartTable(int fieldCount)
    {
        if (_inTable)
        {
            throw new InvalidOperationException("tables cannot nest while being built");
        }
        if (_vtable.Length < fieldCount)
        {
            _vtable = new int[fieldCount];
        }
        Array.Clear(_vtable, 0, fieldCount);
        _vtableFields = fieldCount;
        _objectStart = Offset;
        _inTable = true;
    }

    private void Slot(int field) => _vtable[field] = Offset;

    public void AddBool(int field, bool value, bool defaultValue)
    {
        if (value != defaultValue)
        {
            AddByte(value ? (byte)1 : (byte)0);
            Slot(field);
        }
    }

    public void AddByte(int field, byte value, byte defaultValue)
    {
        if (value != defaultValue)
        {
            AddByte(value);
            Slot(field);
        }
    }

    public void AddShort(int field, short value, short defaultValue)
    {
        if (value != defaultValue)
        {
            AddShort(value);
            Slot(field);
        }
    }

    public void AddInt(int field, int value, int defaultValue)
    {
        if (value != defaultValue)
        {
            AddInt(value);
            Slot(field);
        }
    }

    public void AddLong(int field, long value, long defaultValue)
    {
        if (value != defaultValue)
        {
            AddLong(value);
            Slot(field);
        }
    }

    /// <summary>Adds an offset field; 0 means "absent" (nothing is ever written at offset 0).</summary>
    public void AddOffset(int field, int target)
    {
        if (target != 0)
        {
            AddOffset(target);
            Slot(field);
        }
    }

    public int EndTable()
    {
        if (!_inTable)
        {
            throw new InvalidOperationException("no table is being built");
        }
        AddInt(0); // placeholder for the soffset to the vtable
        var objectOffset = Offset;
        var used = _vtableFields;
        while (used > 0 && _vtable[used - 1] == 0)
        {
            used--;
        }
        for (var i = used - 1; i >= 0; i--)
        {
            AddShort((short)(_vtable[i] != 0 ? objectOffset - _vtable[i] : 0));
        }
        AddShort((short)(objectOffset - _objectStart));
        AddShort((short)((used + 2) * 2));
        var vtableOffset = Offset;
        // soffset = table position - vtable position; the vtable sits just below the table.
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_buffer.Length - objectOffset), vtableOffset - objectOffset);
        _inTable = false;
        return objectOffset;
    }

    /// <summary>Writes the root offset and returns the finished buffer.</summary>
    public ReadOnlySpan<byte> Finish(int root)
    {
        Prep(_minAlign, 4);
        AddOffset(root);
        return _buffer.AsSpan(_space);
    }
}
