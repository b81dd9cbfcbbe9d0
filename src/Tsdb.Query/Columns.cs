using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Query;

/// <summary>Array helpers the engine needs beyond the kernels: constants, widening, retyping, concatenation.</summary>
internal static class Columns
{
    public static ArrowArray Constant(object? scalar, int length)
    {
        switch (scalar)
        {
            case null:
                return NullOf(ArrowType.Int64, length);
            case long l:
                return Fill(ArrowType.Int64, l, length);
            case int i:
                return Fill(ArrowType.Int64, (long)i, length);
            case double d:
                return Fill(ArrowType.Float64, d, length);
            case TimestampScalar t:
                return Fill(ArrowType.TimestampNanosecond, t.Nanos, length);
            case IntervalScalar iv:
                return Fill(ArrowType.Int64, iv.Nanos, length);
            case bool b:
            {
                using var builder = new BooleanArrayBuilder();
                for (var r = 0; r < length; r++)
                {
                    builder.Append(b);
                }
                return builder.Build();
            }
            case string s:
            {
                using var builder = new VariableWidthArrayBuilder(ArrowType.Utf8);
                var bytes = Encoding.UTF8.GetBytes(s);
                for (var r = 0; r < length; r++)
                {
                    builder.Append(bytes);
                }
                return ArrowArray.Create(builder.BuildData());
            }
            default:
                throw new QueryException($"unsupported constant of type {scalar.GetType().Name}");
        }
    }

    private static ArrowArray Fill<T>(ArrowType type, T value, int length) where T : unmanaged
    {
        var values = new T[length];
        values.AsSpan().Fill(value);
        return FromValues(type, values, null);
    }

    public static ArrowArray NullOf(ArrowType type, int length)
    {
        if (type.Id is ArrowTypeId.Utf8 or ArrowTypeId.Dictionary or ArrowTypeId.Boolean)
        {
            return Execution.ScanExec.NullColumn(type, length);
        }
        var width = Math.Max(1, type.BitWidth / 8);
        return ArrowArray.Create(new ArrayData(type, length, length, [new byte[(length + 7) / 8], new byte[length * width]]));
    }

    /// <summary>An array over <paramref name="values"/>, which it keeps (not copied; not to be written after); <paramref name="valid"/> null means no nulls.</summary>
    public static ArrowArray FromValues<T>(ArrowType type, T[] values, bool[]? valid) where T : unmanaged
    {
        // The array becomes the values buffer as it is (every caller computes a fresh one): no copy.
        var bytes = Tsdb.Arrow.Memory.ValuesMemory<T>.Of(values);
        if (valid is null)
        {
            return ArrowArray.Create(new ArrayData(type, values.Length, 0, [ReadOnlyMemory<byte>.Empty, bytes]));
        }
        var bits = new byte[(values.Length + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < valid.Length; i++)
        {
            if (valid[i])
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
            else
            {
                nulls++;
            }
        }
        return ArrowArray.Create(new ArrayData(type, values.Length, nulls, [nulls == 0 ? ReadOnlyMemory<byte>.Empty : bits, bytes]));
    }

    public static ArrowArray Retype(ArrowArray array, ArrowType type) =>
        ArrowArray.Create(new ArrayData(type, array.Length, array.NullCount, array.Data.Buffers, array.Data.Offset, array.Data.Dictionary));

    public static bool IsNumeric(ArrowType type) => type.IsInteger || type.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64;

    public static bool IsString(ArrowType type) =>
        type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 || (type.Id == ArrowTypeId.Dictionary && type.ValueType!.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8);

    public static long[] Int64Values(ArrowArray array)
    {
        var n = array.Length;
        var result = new long[n];
        var data = array.Data;
        switch (data.Type.Id)
        {
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp:
                data.GetValues<long>().CopyTo(result);
                break;
            case ArrowTypeId.Int32:
                var i32 = data.GetValues<int>();
                for (var i = 0; i < n; i++) { result[i] = i32[i]; }
                break;
            case ArrowTypeId.Int16:
                var i16 = data.GetValues<short>();
                for (var i = 0; i < n; i++) { result[i] = i16[i]; }
                break;
            case ArrowTypeId.Int8:
                var i8 = data.GetValues<sbyte>();
                for (var i = 0; i < n; i++) { result[i] = i8[i]; }
                break;
            default:
                var d = DoubleValues(array);
                for (var i = 0; i < n; i++) { result[i] = (long)d[i]; }
                break;
        }
        return result;
    }

    public static double[] DoubleValues(ArrowArray array)
    {
        var n = array.Length;
        var result = new double[n];
        var data = array.Data;
        switch (data.Type.Id)
        {
            case ArrowTypeId.Float64:
                data.GetValues<double>().CopyTo(result);
                break;
            case ArrowTypeId.Float32:
                var f = data.GetValues<float>();
                for (var i = 0; i < n; i++) { result[i] = f[i]; }
                break;
            case ArrowTypeId.UInt64:
                var u = data.GetValues<ulong>();
                for (var i = 0; i < n; i++) { result[i] = u[i]; }
                break;
            case ArrowTypeId.UInt32:
                var u32 = data.GetValues<uint>();
                for (var i = 0; i < n; i++) { result[i] = u32[i]; }
                break;
            case ArrowTypeId.UInt16:
                var u16 = data.GetValues<ushort>();
                for (var i = 0; i < n; i++) { result[i] = u16[i]; }
                break;
            case ArrowTypeId.UInt8:
                var u8 = data.GetValues<byte>();
                for (var i = 0; i < n; i++) { result[i] = u8[i]; }
                break;
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp:
                var i64 = data.GetValues<long>();
                for (var i = 0; i < n; i++) { result[i] = i64[i]; }
                break;
            case ArrowTypeId.Int32 or ArrowTypeId.Int16 or ArrowTypeId.Int8:
                var l = Int64Values(array);
                for (var i = 0; i < n; i++) { result[i] = l[i]; }
                break;
            default:
                throw new QueryException($"expected a number, found {array.Type}");
        }
        return result;
    }

    /// <summary>Strings of a Utf8 or dictionary column, null where null.</summary>
    public static string?[] StringValues(ArrowArray array)
    {
        var result = new string?[array.Length];
        if (array is DictionaryArray dict)
        {
            var entries = StringValues(dict.Dictionary);
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = dict.IsNull(i) ? null : entries[checked((int)dict.GetIndex(i))];
            }
            return result;
        }
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = array.GetObject(i) switch { null => null, string s => s, var o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture) };
        }
        return result;
    }

    public static ArrowArray FromStrings(string?[] values)
    {
        using var builder = new VariableWidthArrayBuilder(ArrowType.Utf8);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return ArrowArray.Create(builder.BuildData());
    }

    public static BooleanArray FromBools(bool?[] values)
    {
        using var builder = new BooleanArrayBuilder();
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    /// <summary>Dictionary columns decoded to Utf8 (so batches with different dictionaries can be concatenated).</summary>
    public static ArrowArray Plain(ArrowArray array) =>
        array.Type.Id == ArrowTypeId.Dictionary ? FromStrings(StringValues(array)) : array;

    /// <summary>One batch holding every row of <paramref name="batches"/>, all with <paramref name="schema"/>.</summary>
    public static RecordBatch Concatenate(Schema schema, IReadOnlyList<RecordBatch> batches)
    {
        if (batches.Count == 1)
        {
            return batches[0];
        }
        var columns = new ArrowArray[schema.FieldCount];
        var length = 0;
        foreach (var b in batches)
        {
            length += b.Length;
        }
        for (var c = 0; c < columns.Length; c++)
        {
            // One pass over all parts; dictionaries of strings are merged, not decoded, when every part has the same type.
            var parts = batches.Select(b => b.Column(c)).ToList();
            var first = parts[0].Type;
            var sameType = parts.TrueForAll(p => p.Type == first);
            var mergeable = sameType && (first.Id != ArrowTypeId.Dictionary || first.ValueType!.Id == ArrowTypeId.Utf8);
            columns[c] = ArrowArray.Create(ArrayConcatenation.Concatenate([.. parts.Select(p => (mergeable ? p : Plain(p)).Data)]));
        }
        var fields = new Field[schema.FieldCount];
        for (var c = 0; c < fields.Length; c++)
        {
            fields[c] = new Field(schema[c].Name, columns[c].Type, true);
        }
        return new RecordBatch(new Schema(fields), columns, length);
    }

    /// <summary>
    /// Row i from <c>branches[pick[i]]</c> (null when the pick is out of range or the branch is a NULL literal), in
    /// one type for all branches: strings if any branch is a string, else floats if any is a float, else the type
    /// they share (integers, booleans, timestamps).
    /// </summary>
    public static ArrowArray Choose(IReadOnlyList<ArrowArray?> branches, int[] pick, int length)
    {
        var typed = branches.Where(b => b is not null).Select(b => b!).ToList();
        bool IsNull(int i) => pick[i] < 0 || pick[i] >= branches.Count || branches[pick[i]] is not { } b || b.IsNull(i);
        if (typed.Count == 0)
        {
            return Constant(null, length);
        }
        if (typed.Any(b => IsString(b.Type)) || (typed.Select(b => b.Type.Id).Distinct().Count() > 1 && !typed.All(b => IsNumeric(b.Type))))
        {
            var values = branches.Select(b => b is null ? null : StringValues(b)).ToArray();
            var result = new string?[length];
            for (var i = 0; i < length; i++)
            {
                result[i] = IsNull(i) ? null : values[pick[i]]![i];
            }
            return FromStrings(result);
        }
        var valid = new bool[length];
        for (var i = 0; i < length; i++)
        {
            valid[i] = !IsNull(i);
        }
        var first = typed[0].Type;
        if (first.Id == ArrowTypeId.Boolean)
        {
            var result = new bool?[length];
            for (var i = 0; i < length; i++)
            {
                result[i] = valid[i] ? ((BooleanArray)branches[pick[i]]!).Get(i) : null;
            }
            return FromBools(result);
        }
        if (typed.Any(b => b.Type.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64 or ArrowTypeId.UInt64))
        {
            var values = branches.Select(b => b is null ? null : DoubleValues(b)).ToArray();
            var result = new double[length];
            for (var i = 0; i < length; i++)
            {
                result[i] = valid[i] ? values[pick[i]]![i] : 0;
            }
            return FromValues(ArrowType.Float64, result, valid);
        }
        {
            var values = branches.Select(b => b is null ? null : Int64Values(b)).ToArray();
            var result = new long[length];
            for (var i = 0; i < length; i++)
            {
                result[i] = valid[i] ? values[pick[i]]![i] : 0;
            }
            return FromValues(first.Id == ArrowTypeId.Timestamp ? ArrowType.TimestampNanosecond : ArrowType.Int64, result, valid);
        }
    }
}
