using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Parquet.Reading;

/// <summary>The Arrow array a column chunk is decoded into, whatever its Arrow type.</summary>
internal sealed class OutputColumn : IDisposable
{
    private readonly ArrowType _type;
    private readonly PrimitiveArrayBuilder<long>? _longs;
    private readonly PrimitiveArrayBuilder<ulong>? _ulongs;
    private readonly PrimitiveArrayBuilder<int>? _ints;
    private readonly PrimitiveArrayBuilder<uint>? _uints;
    private readonly PrimitiveArrayBuilder<short>? _shorts;
    private readonly PrimitiveArrayBuilder<ushort>? _ushorts;
    private readonly PrimitiveArrayBuilder<sbyte>? _sbytes;
    private readonly PrimitiveArrayBuilder<byte>? _bytes;
    private readonly PrimitiveArrayBuilder<double>? _doubles;
    private readonly PrimitiveArrayBuilder<float>? _floats;
    private readonly BooleanArrayBuilder? _bools;
    private readonly VariableWidthArrayBuilder? _binary;
    private readonly DictionaryArrayBuilder? _dictionary;
    private int _nulls;

    public OutputColumn(ArrowType type)
    {
        _type = type;
        switch (type.Id)
        {
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp:
                _longs = new PrimitiveArrayBuilder<long>(type);
                break;
            case ArrowTypeId.UInt64:
                _ulongs = new PrimitiveArrayBuilder<ulong>(type);
                break;
            case ArrowTypeId.Int32:
                _ints = new PrimitiveArrayBuilder<int>(type);
                break;
            case ArrowTypeId.UInt32:
                _uints = new PrimitiveArrayBuilder<uint>(type);
                break;
            case ArrowTypeId.Int16:
                _shorts = new PrimitiveArrayBuilder<short>(type);
                break;
            case ArrowTypeId.UInt16:
                _ushorts = new PrimitiveArrayBuilder<ushort>(type);
                break;
            case ArrowTypeId.Int8:
                _sbytes = new PrimitiveArrayBuilder<sbyte>(type);
                break;
            case ArrowTypeId.UInt8:
                _bytes = new PrimitiveArrayBuilder<byte>(type);
                break;
            case ArrowTypeId.Float64:
                _doubles = new PrimitiveArrayBuilder<double>(type);
                break;
            case ArrowTypeId.Float32:
                _floats = new PrimitiveArrayBuilder<float>(type);
                break;
            case ArrowTypeId.Boolean:
                _bools = new BooleanArrayBuilder();
                break;
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary:
                _binary = new VariableWidthArrayBuilder(type);
                break;
            case ArrowTypeId.Dictionary:
                _dictionary = new DictionaryArrayBuilder();
                break;
            case ArrowTypeId.Null:
                break;
            default:
                throw new NotSupportedException($"cannot decode Parquet into {type}");
        }
    }

    public int Length { get; private set; }

    public void AppendNull()
    {
        Length++;
        switch (_type.Id)
        {
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp: _longs!.AppendNull(); break;
            case ArrowTypeId.UInt64: _ulongs!.AppendNull(); break;
            case ArrowTypeId.Int32: _ints!.AppendNull(); break;
            case ArrowTypeId.UInt32: _uints!.AppendNull(); break;
            case ArrowTypeId.Int16: _shorts!.AppendNull(); break;
            case ArrowTypeId.UInt16: _ushorts!.AppendNull(); break;
            case ArrowTypeId.Int8: _sbytes!.AppendNull(); break;
            case ArrowTypeId.UInt8: _bytes!.AppendNull(); break;
            case ArrowTypeId.Float64: _doubles!.AppendNull(); break;
            case ArrowTypeId.Float32: _floats!.AppendNull(); break;
            case ArrowTypeId.Boolean: _bools!.AppendNull(); break;
            case ArrowTypeId.Null: _nulls++; break;
            case ArrowTypeId.Dictionary: _dictionary!.AppendNull(); break;
            default: _binary!.AppendNull(); break;
        }
    }

    /// <summary>An INT64 value (Int64, UInt64 as bits, or a timestamp in the column's unit).</summary>
    public void AppendInt64(long value)
    {
        Length++;
        if (_longs is not null)
        {
            _longs.Append(value);
        }
        else
        {
            _ulongs!.Append(unchecked((ulong)value));
        }
    }

    public void AppendInt64Range(ReadOnlySpan<long> values)
    {
        Length += values.Length;
        if (_longs is not null)
        {
            _longs.AppendRange(values);
        }
        else
        {
            _ulongs!.AppendRange(System.Runtime.InteropServices.MemoryMarshal.Cast<long, ulong>(values));
        }
    }

    /// <summary>An INT32 value, narrowed to the Arrow integer type (bit patterns kept for unsigned types).</summary>
    public void AppendInt32(int value)
    {
        Length++;
        switch (_type.Id)
        {
            case ArrowTypeId.Int32: _ints!.Append(value); break;
            case ArrowTypeId.UInt32: _uints!.Append(unchecked((uint)value)); break;
            case ArrowTypeId.Int16: _shorts!.Append(unchecked((short)value)); break;
            case ArrowTypeId.UInt16: _ushorts!.Append(unchecked((ushort)value)); break;
            case ArrowTypeId.Int8: _sbytes!.Append(unchecked((sbyte)value)); break;
            case ArrowTypeId.UInt8: _bytes!.Append(unchecked((byte)value)); break;
            default: _nulls++; break; // the UNKNOWN (null) logical type: values cannot occur, nulls only
        }
    }

    public void AppendDouble(double value)
    {
        Length++;
        _doubles!.Append(value);
    }

    public void AppendDoubleRange(ReadOnlySpan<double> values)
    {
        Length += values.Length;
        _doubles!.AppendRange(values);
    }

    public void AppendFloat(float value)
    {
        Length++;
        _floats!.Append(value);
    }

    public void AppendBoolean(bool value)
    {
        Length++;
        _bools!.Append(value);
    }

    public void AppendBytes(ReadOnlySpan<byte> value)
    {
        Length++;
        if (_dictionary is not null)
        {
            _dictionary.Append(value);
        }
        else
        {
            _binary!.Append(value);
        }
    }

    public bool IsDictionary => _dictionary is not null;

    /// <summary>Room for <paramref name="rows"/> more rows (the selection's size is known before decoding).</summary>
    public void Reserve(int rows)
    {
        _longs?.Reserve(rows);
        _ulongs?.Reserve(rows);
        _doubles?.Reserve(rows);
        _ints?.Reserve(rows);
        _dictionary?.Reserve(rows);
    }

    /// <summary>
    /// The next <paramref name="count"/> 8-byte values (int64, uint64 or float64 output) as bytes to decode into, or
    /// an empty span when the output holds another type.
    /// </summary>
    public Span<byte> AppendEightByteValues(int count)
    {
        Span<byte> span = _longs is not null ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(_longs.AppendUninitialized(count))
            : _ulongs is not null ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(_ulongs.AppendUninitialized(count))
            : _doubles is not null ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(_doubles.AppendUninitialized(count))
            : default;
        if (!span.IsEmpty)
        {
            Length += count;
        }
        return span;
    }

    /// <summary>Adds a value to the output dictionary without a row; returns its index (dictionary outputs only).</summary>
    public int AddDictionaryValue(ReadOnlySpan<byte> value) => _dictionary!.AddValue(value);

    public void AppendDictionaryIndices(ReadOnlySpan<int> indices)
    {
        Length += indices.Length;
        _dictionary!.AppendIndices(indices);
    }

    public ArrayData Build() => _type.Id switch
    {
        ArrowTypeId.Int64 or ArrowTypeId.Timestamp => _longs!.BuildData(),
        ArrowTypeId.UInt64 => _ulongs!.BuildData(),
        ArrowTypeId.Int32 => _ints!.BuildData(),
        ArrowTypeId.UInt32 => _uints!.BuildData(),
        ArrowTypeId.Int16 => _shorts!.BuildData(),
        ArrowTypeId.UInt16 => _ushorts!.BuildData(),
        ArrowTypeId.Int8 => _sbytes!.BuildData(),
        ArrowTypeId.UInt8 => _bytes!.BuildData(),
        ArrowTypeId.Float64 => _doubles!.BuildData(),
        ArrowTypeId.Float32 => _floats!.BuildData(),
        ArrowTypeId.Boolean => _bools!.BuildData(),
        ArrowTypeId.Null => new ArrayData(ArrowType.Null, Length, Length, []),
        ArrowTypeId.Dictionary => _dictionary!.BuildData(),
        _ => _binary!.BuildData(),
    };

    public void Dispose()
    {
        _longs?.Dispose();
        _ulongs?.Dispose();
        _ints?.Dispose();
        _uints?.Dispose();
        _shorts?.Dispose();
        _ushorts?.Dispose();
        _sbytes?.Dispose();
        _bytes?.Dispose();
        _doubles?.Dispose();
        _floats?.Dispose();
        _bools?.Dispose();
        _binary?.Dispose();
        _dictionary?.Dispose();
    }
}
