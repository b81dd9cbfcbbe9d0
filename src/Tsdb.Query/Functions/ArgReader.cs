using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>
/// Row access to one argument, an array or a constant, as the kernel needs it (double, long, string, …). Typed copies
/// of an array are made once, on first use; a constant is converted once, so per-row reads neither box nor switch on
/// the boxed type.
/// </summary>
internal sealed class ArgReader
{
    private readonly ArrowArray? _array;
    private readonly object? _scalar;
    private readonly double _scalarDouble;
    private readonly long _scalarLong;
    private readonly bool _scalarLongOverflows;
    private readonly ulong _scalarULong;
    private readonly bool _scalarBool;
    private readonly string? _scalarString;
    private double[]? _doubles;
    private long[]? _longs;
    private ulong[]? _ulongs;
    private string?[]? _strings;
    private long? _scalarNanos;
    private string? _scalarText;

    public ArgReader(ColumnarValue value, int index)
    {
        _array = value.Array;
        _scalar = value.Scalar;
        Index = index;
        switch (_scalar)
        {
            case long l:
                _scalarLong = l;
                _scalarDouble = l;
                _scalarULong = unchecked((ulong)l);
                break;
            case ulong u:
                _scalarULong = u;
                _scalarDouble = u;
                _scalarLongOverflows = u > long.MaxValue;
                _scalarLong = unchecked((long)u);
                break;
            case double d:
                _scalarDouble = d;
                _scalarLong = double.IsNaN(d) ? 0 : (long)Math.Clamp(Math.Truncate(d), long.MinValue, long.MaxValue);
                break;
            case TimestampScalar t:
                _scalarLong = t.Nanos;
                _scalarDouble = t.Nanos;
                break;
            case IntervalScalar iv:
                _scalarLong = iv.Nanos;
                _scalarDouble = iv.Nanos;
                break;
            case bool b:
                _scalarBool = b;
                break;
            case string s:
                _scalarString = s;
                break;
            default:
                break;
        }
    }

    /// <summary>The argument's position in the call (0-based), for <see cref="FunctionException.Argument"/>.</summary>
    public int Index { get; }

    public bool IsScalar => _array is null;

    public ArrowArray? Array => _array;

    public object? Scalar => _scalar;

    public bool IsNull(int row) => _array is null ? _scalar is null : _array.IsNull(row);

    public double Double(int row) => _array is null ? _scalarDouble : (_doubles ??= Columns.DoubleValues(_array))[row];

    public long Long(int row)
    {
        if (_array is null)
        {
            return _scalarLongOverflows ? throw OutOfRange(_scalarULong) : _scalarLong;
        }
        return (_longs ??= ToLongs(_array))[row];
    }

    public ulong ULong(int row)
    {
        if (_array is null)
        {
            return _scalar is long l && l < 0 ? throw new FunctionException($"argument {Index + 1}: {l} is out of range for uint64", Index) : _scalarULong;
        }
        if (_ulongs is null)
        {
            if (_array.Type.Id == ArrowTypeId.UInt64)
            {
                _ulongs = _array.Data.GetValues<ulong>().ToArray();
            }
            else
            {
                var longs = _longs ??= ToLongs(_array);
                var result = new ulong[longs.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    if (longs[i] < 0 && !_array.IsNull(i))
                    {
                        throw new FunctionException($"argument {Index + 1}: {longs[i]} is out of range for uint64", Index);
                    }
                    result[i] = unchecked((ulong)longs[i]);
                }
                _ulongs = result;
            }
        }
        return _ulongs[row];
    }

    public bool Bool(int row) => _array is null ? _scalarBool : ((BooleanArray)_array).GetValue(row);

    /// <summary>The string of a string argument (Utf8 or dictionary); a dictionary's entries are decoded once.</summary>
    public string String(int row) => _array is null ? _scalarString! : (_strings ??= Columns.StringValues(_array))[row]!;

    /// <summary>The value as concat prints it: timestamps in RFC 3339, floats with a fraction, booleans as true/false.</summary>
    public string Text(int row)
    {
        if (_array is null)
        {
            return _scalarText ??= _scalar switch
            {
                string s => s,
                TimestampScalar t => TimeText.FormatTimestamp(t.Nanos),
                double d => FormatDouble(d),
                bool b => b ? "true" : "false",
                ulong u => u.ToString(CultureInfo.InvariantCulture),
                _ => _scalarLong.ToString(CultureInfo.InvariantCulture),
            };
        }
        var type = _array.Type;
        return type.Id switch
        {
            ArrowTypeId.Timestamp => TimeText.FormatTimestamp(Long(row)),
            ArrowTypeId.Float32 or ArrowTypeId.Float64 => FormatDouble(Double(row)),
            ArrowTypeId.Boolean => Bool(row) ? "true" : "false",
            ArrowTypeId.UInt64 => ULong(row).ToString(CultureInfo.InvariantCulture),
            _ when type.IsInteger => Long(row).ToString(CultureInfo.InvariantCulture),
            _ => String(row),
        };
    }

    /// <summary>A timestamp in ns: timestamps and integers as they are, strings read as RFC 3339.</summary>
    public long Nanos(int row)
    {
        if (_array is null)
        {
            return _scalarString is { } s ? _scalarNanos ??= ParseTimestamp(s) : _scalarLong;
        }
        return FunctionTypes.IsString(_array.Type) ? ParseTimestamp(String(row)) : Long(row);
    }

    public long ParseTimestamp(string text) =>
        TimeText.TryParseTimestamp(text, out var ns) ? ns : throw new FunctionException($"invalid timestamp '{text}'", Index);

    /// <summary>As Arrow prints a float64: shortest round-trip digits, and ".0" on whole numbers.</summary>
    public static string FormatDouble(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(d) && s.AsSpan().IndexOfAny('.', 'E') < 0 ? s + ".0" : s;
    }

    private long[] ToLongs(ArrowArray array)
    {
        switch (array.Type.Id)
        {
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp:
                return array.Data.GetValues<long>().ToArray();
            case ArrowTypeId.UInt64:
            {
                var values = array.Data.GetValues<ulong>();
                var result = new long[values.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    if (values[i] > long.MaxValue && !array.IsNull(i))
                    {
                        throw OutOfRange(values[i]);
                    }
                    result[i] = unchecked((long)values[i]);
                }
                return result;
            }
            case ArrowTypeId.UInt32:
            {
                var values = array.Data.GetValues<uint>();
                var result = new long[values.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = values[i];
                }
                return result;
            }
            case ArrowTypeId.UInt16 or ArrowTypeId.UInt8:
            {
                var values = Columns.DoubleValues(array);
                var result = new long[values.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = (long)values[i];
                }
                return result;
            }
            default:
                return Columns.Int64Values(array);
        }
    }

    private FunctionException OutOfRange(ulong value) => new($"argument {Index + 1}: {value} is out of range for int64", Index);
}
