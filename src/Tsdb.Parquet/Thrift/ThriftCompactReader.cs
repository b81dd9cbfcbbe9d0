using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Tsdb.Parquet.Thrift;

/// <summary>
/// Reads the Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md) from a span: what Parquet
/// footers, page headers and page indexes are written in. The input is untrusted, so every length and count is checked
/// against the bytes left before anything is allocated, nesting is limited to <see cref="MaxDepth"/>, and every
/// failure is a <see cref="ParquetFormatException"/> that names the byte offset ("Thrift: … at byte N").
/// </summary>
internal ref struct ThriftCompactReader
{
    /// <summary>Deepest nesting of structs and collections accepted; Parquet metadata needs about six.</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private int _depth;
    private short _lastFieldId;
    private ThriftFieldIdStack _lastFieldIds;

    // A bool field's value lives in its header; ReadBool returns it if called right after that header.
    private bool _hasPendingBool;
    private bool _pendingBool;

    public ThriftCompactReader(ReadOnlySpan<byte> buffer) => _buffer = buffer;

    /// <summary>Offset of the next byte to read.</summary>
    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Current nesting (structs entered plus collections being skipped).</summary>
    public readonly int Depth => _depth;

    public void ReadStructBegin()
    {
        if (_depth >= MaxDepth)
        {
            ThrowNestedTooDeep(_position);
        }
        _lastFieldIds[_depth++] = _lastFieldId;
        _lastFieldId = 0;
    }

    public void ReadStructEnd()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("ReadStructEnd without a matching ReadStructBegin");
        }
        _lastFieldId = _lastFieldIds[--_depth];
    }

    /// <summary>
    /// Reads a field header: short form <c>ddddtttt</c> (id = previous id + delta) or long form <c>0000tttt</c>
    /// followed by a zigzag i16 id. Returns a header with <see cref="ThriftType.Stop"/> at the end of the struct.
    /// </summary>
    public ThriftFieldHeader ReadFieldHeader()
    {
        _hasPendingBool = false;
        var start = _position;
        var header = ReadByte();
        if (header == 0)
        {
            return default;
        }
        var code = header & 0x0F;
        var type = code switch
        {
            1 or 2 => ThriftType.Bool,
            >= 3 and <= 13 => (ThriftType)code,
            _ => ThrowInvalidType<ThriftType>("field", code, start),
        };
        var delta = header >> 4;
        short id;
        if (delta != 0)
        {
            var next = _lastFieldId + delta;
            if (next > short.MaxValue)
            {
                Throw($"field id {next} does not fit in i16", start);
            }
            id = (short)next;
        }
        else
        {
            id = ReadI16();
        }
        _lastFieldId = id;
        if (type == ThriftType.Bool)
        {
            _hasPendingBool = true;
            _pendingBool = code == 1;
            return new ThriftFieldHeader(id, ThriftType.Bool, _pendingBool);
        }
        return new ThriftFieldHeader(id, type, false);
    }

    /// <summary>
    /// A bool: the value of the field header just read, or else one collection element byte (1 = true; 0 and 2 =
    /// false — the spec says 0, Thrift's libraries write 2).
    /// </summary>
    public bool ReadBool()
    {
        if (_hasPendingBool)
        {
            _hasPendingBool = false;
            return _pendingBool;
        }
        var start = _position;
        return ReadByte() switch
        {
            1 => true,
            0 or 2 => false,
            var other => ThrowInvalid<bool>($"invalid bool element value {other}", start),
        };
    }

    public sbyte ReadI8() => (sbyte)ReadByte();

    public short ReadI16()
    {
        var start = _position;
        var value = ReadI32();
        if (value is < short.MinValue or > short.MaxValue)
        {
            Throw($"i16 value {value} out of range", start);
        }
        return (short)value;
    }

    public int ReadI32()
    {
        var start = _position;
        var raw = ReadVarUInt64();
        if (raw > uint.MaxValue)
        {
            Throw("varint does not fit in i32", start);
        }
        var zigzag = (uint)raw;
        return (int)(zigzag >> 1) ^ -(int)(zigzag & 1);
    }

    public long ReadI64()
    {
        var raw = ReadVarUInt64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>8 bytes, little-endian (unlike the binary protocol).</summary>
    public double ReadDouble()
    {
        var bytes = ReadBytes(8, "double");
        return BinaryPrimitives.ReadDoubleLittleEndian(bytes);
    }

    /// <summary>A length-prefixed byte string, as a view into the input (no copy).</summary>
    public ReadOnlySpan<byte> ReadBinarySpan()
    {
        var length = ReadSize("binary length");
        return ReadBytes(length, "binary");
    }

    public byte[] ReadBinary() => ReadBinarySpan().ToArray();

    /// <summary>A binary that must be valid UTF-8; invalid UTF-8 is refused rather than silently replaced.</summary>
    public string ReadString()
    {
        var start = _position;
        var bytes = ReadBinarySpan();
        if (!Utf8.IsValid(bytes))
        {
            Throw("string is not valid UTF-8", start);
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// A list header: <c>sssstttt</c> for 0–14 elements, else <c>1111tttt</c> and a varint size. Every element takes
    /// at least one byte, so a count larger than the bytes left is refused here, before any caller allocates for it.
    /// </summary>
    public ThriftCollectionHeader ReadListHeader() => ReadCollectionHeader(isSet: false);

    public ThriftCollectionHeader ReadSetHeader() => ReadCollectionHeader(isSet: true);

    /// <summary>A map header: a single 0 byte when empty, else a varint size and a <c>kkkkvvvv</c> type byte.</summary>
    public ThriftMapHeader ReadMapHeader()
    {
        var start = _position;
        var count = ReadSize("map size");
        if (count == 0)
        {
            return new ThriftMapHeader(ThriftType.Stop, ThriftType.Stop, 0);
        }
        var typesAt = _position;
        var types = ReadByte();
        var keyType = ToElementType(types >> 4, typesAt);
        var valueType = ToElementType(types & 0x0F, typesAt);
        if ((long)count * 2 > Remaining)
        {
            Throw($"map of {count} entries cannot fit in the {Remaining} bytes left", start);
        }
        return new ThriftMapHeader(keyType, valueType, count);
    }

    /// <summary>
    /// Reads a list of <paramref name="elementType"/> elements with <paramref name="readElement"/>. An empty list
    /// may carry any element type; a non-empty one of another type is refused, naming <paramref name="what"/>
    /// ("Struct.field").
    /// </summary>
    public List<T> ReadList<T>(ThriftType elementType, ThriftElementReader<T> readElement, string what)
    {
        var start = _position;
        var header = ReadListHeader();
        if (header.Count > 0 && header.ElementType != elementType)
        {
            Throw($"{what} is a list<{NameOf(header.ElementType)}>, expected list<{NameOf(elementType)}>", start);
        }
        var list = new List<T>(header.Count);
        for (var i = 0; i < header.Count; i++)
        {
            list.Add(readElement(ref this));
        }
        return list;
    }

    /// <summary>Refuses a known field that arrived with another type than the one parquet.thrift gives it.</summary>
    public readonly void Expect(in ThriftFieldHeader field, ThriftType type, string what)
    {
        if (field.Type != type)
        {
            ThrowWrongFieldType(field, type, what);
        }
    }

    /// <summary>Refuses a struct that ended without one of its required fields.</summary>
    public readonly void Require([DoesNotReturnIf(false)] bool present, string what)
    {
        if (!present)
        {
            ThrowMissingField(what);
        }
    }

    /// <summary>
    /// Skips a value of the given type: an unknown field (a bool field's value is in its header, so nothing is
    /// consumed) or, through recursion, collection elements and whole structs, up to <see cref="MaxDepth"/> deep.
    /// </summary>
    public void Skip(ThriftType type)
    {
        var start = _position;
        switch (type)
        {
            case ThriftType.Bool:
                ReadBool();
                break;
            case ThriftType.I8:
                ReadBytes(1, "i8");
                break;
            case ThriftType.I16:
            case ThriftType.I32:
            case ThriftType.I64:
                ReadVarUInt64();
                break;
            case ThriftType.Double:
                ReadBytes(8, "double");
                break;
            case ThriftType.Uuid:
                ReadBytes(16, "uuid");
                break;
            case ThriftType.Binary:
                ReadBinarySpan();
                break;
            case ThriftType.List:
            case ThriftType.Set:
                {
                    var header = ReadCollectionHeader(isSet: type == ThriftType.Set);
                    EnterCollection(start);
                    for (var i = 0; i < header.Count; i++)
                    {
                        Skip(header.ElementType);
                    }
                    _depth--;
                    break;
                }
            case ThriftType.Map:
                {
                    var header = ReadMapHeader();
                    EnterCollection(start);
                    for (var i = 0; i < header.Count; i++)
                    {
                        Skip(header.KeyType);
                        Skip(header.ValueType);
                    }
                    _depth--;
                    break;
                }
            case ThriftType.Struct:
                ReadStructBegin();
                for (var field = ReadFieldHeader(); !field.IsStop; field = ReadFieldHeader())
                {
                    Skip(field.Type);
                }
                ReadStructEnd();
                break;
            default:
                Throw($"cannot skip a value of type {(int)type}", start);
                break;
        }
    }

    /// <summary>The Thrift IDL name of a type, for error messages.</summary>
    public static string NameOf(ThriftType type) => type switch
    {
        ThriftType.Stop => "stop",
        ThriftType.Bool => "bool",
        ThriftType.I8 => "i8",
        ThriftType.I16 => "i16",
        ThriftType.I32 => "i32",
        ThriftType.I64 => "i64",
        ThriftType.Double => "double",
        ThriftType.Binary => "binary",
        ThriftType.List => "list",
        ThriftType.Set => "set",
        ThriftType.Map => "map",
        ThriftType.Struct => "struct",
        ThriftType.Uuid => "uuid",
        _ => $"type {(int)type}",
    };

    private ThriftCollectionHeader ReadCollectionHeader(bool isSet)
    {
        var kind = isSet ? "set" : "list";
        var start = _position;
        var header = ReadByte();
        var elementType = ToElementType(header & 0x0F, start);
        var count = header >> 4;
        if (count == 15)
        {
            count = ReadSize(isSet ? "set size" : "list size");
        }
        if (count > Remaining)
        {
            Throw($"{kind} of {count} elements cannot fit in the {Remaining} bytes left", start);
        }
        return new ThriftCollectionHeader(elementType, count);
    }

    private void EnterCollection(int start)
    {
        if (_depth >= MaxDepth)
        {
            ThrowNestedTooDeep(start);
        }
        _depth++;
    }

    private static ThriftType ToElementType(int code, int position) => code switch
    {
        1 or 2 => ThriftType.Bool,
        >= 3 and <= 13 => (ThriftType)code,
        _ => ThrowInvalidType<ThriftType>("element", code, position),
    };

    /// <summary>A varint length or count (an i32 on the wire): negative or larger values are refused.</summary>
    private int ReadSize(string what)
    {
        var start = _position;
        var raw = ReadVarUInt64();
        if (raw <= int.MaxValue)
        {
            return (int)raw;
        }
        if (raw <= uint.MaxValue)
        {
            Throw($"negative {what} {(int)(uint)raw}", start);
        }
        Throw($"{what} {raw} does not fit in i32", start);
        return 0;
    }

    /// <summary>ULEB128: at most 10 bytes, and the 10th may only hold the 64th bit.</summary>
    private ulong ReadVarUInt64()
    {
        var start = _position;
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                Throw("data ends inside a varint", start);
            }
            var b = _buffer[_position++];
            if (shift == 63)
            {
                if (b >= 0x80)
                {
                    Throw("varint longer than 10 bytes", start);
                }
                if (b > 1)
                {
                    Throw("varint overflows 64 bits", start);
                }
            }
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        return result; // unreachable: the tenth byte either ends the varint or throws
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte ReadByte()
    {
        if (_position >= _buffer.Length)
        {
            Throw("data ends where a byte was expected", _position);
        }
        return _buffer[_position++];
    }

    private ReadOnlySpan<byte> ReadBytes(int length, string what)
    {
        if (length > Remaining)
        {
            Throw($"{what} of {length} bytes exceeds the {Remaining} bytes left", _position);
        }
        var bytes = _buffer.Slice(_position, length);
        _position += length;
        return bytes;
    }

    [DoesNotReturn]
    private static void Throw(string message, int position) =>
        throw new ParquetFormatException($"Thrift: {message} at byte {position}");

    [DoesNotReturn]
    private static T ThrowInvalid<T>(string message, int position) =>
        throw new ParquetFormatException($"Thrift: {message} at byte {position}");

    [DoesNotReturn]
    private static T ThrowInvalidType<T>(string context, int code, int position) =>
        throw new ParquetFormatException($"Thrift: invalid {context} type {code} at byte {position}");

    [DoesNotReturn]
    private static void ThrowNestedTooDeep(int position) =>
        throw new ParquetFormatException($"Thrift: nesting deeper than {MaxDepth} levels at byte {position}");

    [DoesNotReturn]
    private readonly void ThrowWrongFieldType(in ThriftFieldHeader field, ThriftType expected, string what) =>
        throw new ParquetFormatException(
            $"Thrift: field {what} (id {field.Id}) has type {NameOf(field.Type)}, expected {NameOf(expected)} at byte {_position}");

    [DoesNotReturn]
    private readonly void ThrowMissingField(string what) =>
        throw new ParquetFormatException($"Thrift: required field {what} is missing in the struct ending at byte {_position - 1}");
}
