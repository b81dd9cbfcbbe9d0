using System.Text;
using Tsdb.Parquet.IO;

namespace Tsdb.Parquet.Thrift;

/// <summary>
/// Writes the Thrift compact protocol into a <see cref="ByteBuffer"/>. Callers write a struct as
/// <see cref="WriteStructBegin"/>, fields in increasing id order (short headers when the id delta is 1–15),
/// <see cref="WriteFieldStop"/>, <see cref="WriteStructEnd"/>.
/// </summary>
internal sealed class ThriftCompactWriter
{
    private readonly ByteBuffer _output;
    private short[] _lastFieldIds = new short[8];
    private int _depth;
    private short _lastFieldId;

    public ThriftCompactWriter(ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    public ByteBuffer Output => _output;

    public void WriteStructBegin()
    {
        if (_depth == _lastFieldIds.Length)
        {
            Array.Resize(ref _lastFieldIds, _depth * 2);
        }
        _lastFieldIds[_depth++] = _lastFieldId;
        _lastFieldId = 0;
    }

    public void WriteStructEnd()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("WriteStructEnd without a matching WriteStructBegin");
        }
        _lastFieldId = _lastFieldIds[--_depth];
    }

    /// <summary>The stop byte that ends a struct's fields.</summary>
    public void WriteFieldStop() => _output.AppendByte(0);

    /// <summary>A field header for any type but bool (whose value goes in the header: <see cref="WriteBoolField"/>).</summary>
    public void WriteFieldHeader(short id, ThriftType type)
    {
        if (type is ThriftType.Stop or ThriftType.Bool || !Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "use WriteFieldStop or WriteBoolField for stop and bool fields");
        }
        WriteFieldHeaderCore(id, (byte)type);
    }

    public void WriteBoolField(short id, bool value) => WriteFieldHeaderCore(id, value ? (byte)1 : (byte)2);

    public void WriteI8Field(short id, sbyte value)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.I8);
        WriteI8(value);
    }

    public void WriteI16Field(short id, short value)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.I16);
        WriteI16(value);
    }

    public void WriteI32Field(short id, int value)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.I32);
        WriteI32(value);
    }

    public void WriteI64Field(short id, long value)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.I64);
        WriteI64(value);
    }

    public void WriteDoubleField(short id, double value)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.Double);
        WriteDouble(value);
    }

    public void WriteBinaryField(short id, ReadOnlySpan<byte> value)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.Binary);
        WriteBinary(value);
    }

    public void WriteStringField(short id, string value)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.Binary);
        WriteString(value);
    }

    /// <summary>A list field: the field header and the list header; the caller writes the elements.</summary>
    public void WriteListField(short id, ThriftType elementType, int count)
    {
        WriteFieldHeaderCore(id, (byte)ThriftType.List);
        WriteListHeader(elementType, count);
    }

    public void WriteBoolListField(short id, ReadOnlySpan<bool> values)
    {
        WriteListField(id, ThriftType.Bool, values.Length);
        foreach (var value in values)
        {
            WriteBool(value);
        }
    }

    public void WriteI32ListField(short id, ReadOnlySpan<int> values)
    {
        WriteListField(id, ThriftType.I32, values.Length);
        foreach (var value in values)
        {
            WriteI32(value);
        }
    }

    public void WriteI64ListField(short id, ReadOnlySpan<long> values)
    {
        WriteListField(id, ThriftType.I64, values.Length);
        foreach (var value in values)
        {
            WriteI64(value);
        }
    }

    public void WriteBinaryListField(short id, ReadOnlySpan<byte[]> values)
    {
        WriteListField(id, ThriftType.Binary, values.Length);
        foreach (var value in values)
        {
            WriteBinary(value);
        }
    }

    public void WriteStringListField(short id, ReadOnlySpan<string> values)
    {
        WriteListField(id, ThriftType.Binary, values.Length);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    /// <summary>A bool collection element: 1 for true, 2 for false, as Thrift's own libraries write it.</summary>
    public void WriteBool(bool value) => _output.AppendByte(value ? (byte)1 : (byte)2);

    public void WriteI8(sbyte value) => _output.AppendByte((byte)value);

    // Zigzag over 64 bits gives the same varint as zigzag over 32 bits for any value that fits in 32 bits.
    public void WriteI16(short value) => _output.AppendVarInt64(value);

    public void WriteI32(int value) => _output.AppendVarInt64(value);

    public void WriteI64(long value) => _output.AppendVarInt64(value);

    public void WriteDouble(double value) => _output.AppendInt64(BitConverter.DoubleToInt64Bits(value));

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        _output.AppendVarUInt64((ulong)value.Length);
        _output.Append(value);
    }

    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        _output.AppendVarUInt64((ulong)length);
        var written = Encoding.UTF8.GetBytes(value, _output.GetSpan(length));
        _output.Advance(written);
    }

    public void WriteListHeader(ThriftType elementType, int count) => WriteCollectionHeader(elementType, count);

    public void WriteSetHeader(ThriftType elementType, int count) => WriteCollectionHeader(elementType, count);

    public void WriteMapHeader(ThriftType keyType, ThriftType valueType, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            _output.AppendByte(0);
            return;
        }
        _output.AppendVarUInt64((ulong)count);
        _output.AppendByte((byte)((ElementCode(keyType) << 4) | ElementCode(valueType)));
    }

    private void WriteCollectionHeader(ThriftType elementType, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var code = ElementCode(elementType);
        if (count < 15)
        {
            _output.AppendByte((byte)((count << 4) | code));
            return;
        }
        _output.AppendByte((byte)(0xF0 | code));
        _output.AppendVarUInt64((ulong)count);
    }

    private void WriteFieldHeaderCore(short id, byte typeCode)
    {
        var delta = id - _lastFieldId;
        if (delta is > 0 and <= 15)
        {
            _output.AppendByte((byte)((delta << 4) | typeCode));
        }
        else
        {
            _output.AppendByte(typeCode);
            _output.AppendVarInt64(id);
        }
        _lastFieldId = id;
    }

    private static int ElementCode(ThriftType type)
    {
        if (type == ThriftType.Stop || !Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "not a collection element type");
        }
        return (int)type;
    }
}
