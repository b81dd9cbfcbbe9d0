using System.Runtime.InteropServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>
/// The loops the kernels share. A call whose arguments are all constants runs over one row and answers a constant;
/// otherwise it runs over <see cref="FunctionArguments.RowCount"/> rows and answers an array. "Strict" kernels are
/// NULL on every row where any argument is NULL, as most SQL functions are.
/// </summary>
internal static class Kernel
{
    public static bool AllScalar(FunctionArguments args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].IsScalar)
            {
                return false;
            }
        }
        return true;
    }

    public static ArgReader[] Read(FunctionArguments args)
    {
        var readers = new ArgReader[args.Count];
        for (var i = 0; i < readers.Length; i++)
        {
            readers[i] = new ArgReader(args[i], i);
        }
        return readers;
    }

    public static bool AnyNull(ArgReader[] readers, int row)
    {
        foreach (var r in readers)
        {
            if (r.IsNull(row))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A strict kernel: <paramref name="f"/> runs on each row where no argument is NULL.</summary>
    public static ColumnarValue Map<T>(FunctionArguments args, Func<ArgReader[], int, T> f, Func<T[], bool[], ArrowArray> build)
    {
        var scalar = AllScalar(args);
        var n = scalar ? 1 : args.RowCount;
        var readers = Read(args);
        var values = new T[n];
        var valid = new bool[n];
        for (var i = 0; i < n; i++)
        {
            if (!AnyNull(readers, i))
            {
                values[i] = f(readers, i);
                valid[i] = true;
            }
        }
        return Finish(build(values, valid), scalar);
    }

    /// <summary>
    /// A unary float64 kernel (sqrt, ln, abs of floats, …). Over a float64 or int64 column it runs straight from the
    /// column's buffer into the result's and copies the validity bitmap: NULL slots are computed too (on whatever
    /// bits they hold, harmless for these functions) and stay NULL.
    /// </summary>
    public static ColumnarValue Doubles(FunctionArguments args, Func<double, double> f)
    {
        if (args.Count == 1 && args[0].Array is { } array && array.Data.Offset == 0 && array.Type.Id is ArrowTypeId.Float64 or ArrowTypeId.Int64)
        {
            var n = array.Length;
            var bytes = GC.AllocateUninitializedArray<byte>(n * sizeof(double));
            var output = MemoryMarshal.Cast<byte, double>(bytes.AsSpan());
            if (array.Type.Id == ArrowTypeId.Float64)
            {
                var input = array.Data.GetValues<double>();
                for (var i = 0; i < n; i++)
                {
                    output[i] = f(input[i]);
                }
            }
            else
            {
                var input = array.Data.GetValues<long>();
                for (var i = 0; i < n; i++)
                {
                    output[i] = f(input[i]);
                }
            }
            // A copy, not the input's buffer: that may be pooled and returned while the result is still in use.
            var validity = array.NullCount == 0 ? ReadOnlyMemory<byte>.Empty : array.Data.Validity[..((n + 7) / 8)].ToArray();
            return ColumnarValue.Of(ArrowArray.Create(new ArrayData(ArrowType.Float64, n, array.NullCount, [validity, bytes])));
        }
        return Map(args, (r, i) => f(r[0].Double(i)), Float64s);
    }

    /// <summary>
    /// A strict kernel over the string in argument 0. When that is a dictionary column (a tag) and every other
    /// argument is a constant, <paramref name="f"/> runs once per dictionary entry the rows use, not once per row.
    /// </summary>
    public static ColumnarValue MapString<T>(FunctionArguments args, Func<string, ArgReader[], int, T> f, Func<T[], bool[], ArrowArray> build)
    {
        var scalar = AllScalar(args);
        var n = scalar ? 1 : args.RowCount;
        var readers = Read(args);
        var values = new T[n];
        var valid = new bool[n];
        if (readers[0].Array is DictionaryArray dict && OthersScalar(readers))
        {
            for (var a = 1; a < readers.Length; a++)
            {
                if (readers[a].IsNull(0))
                {
                    return Finish(build(values, valid), scalar);
                }
            }
            // A dictionary may be shared by many batches and hold far more entries than this batch uses: entries
            // are decoded and mapped on first use only.
            var entries = (StringArray)dict.Dictionary;
            var mapped = new T[entries.Length];
            var done = new bool[entries.Length];
            for (var i = 0; i < n; i++)
            {
                if (dict.IsNull(i))
                {
                    continue;
                }
                var e = checked((int)dict.GetIndex(i));
                if (entries.IsNull(e))
                {
                    continue;
                }
                if (!done[e])
                {
                    mapped[e] = f(entries.GetString(e)!, readers, 0);
                    done[e] = true;
                }
                values[i] = mapped[e];
                valid[i] = true;
            }
            return Finish(build(values, valid), scalar);
        }
        var source = readers[0];
        for (var i = 0; i < n; i++)
        {
            if (!AnyNull(readers, i))
            {
                values[i] = f(source.String(i), readers, i);
                valid[i] = true;
            }
        }
        return Finish(build(values, valid), scalar);
    }

    private static bool OthersScalar(ArgReader[] readers)
    {
        for (var a = 1; a < readers.Length; a++)
        {
            if (!readers[a].IsScalar)
            {
                return false;
            }
        }
        return true;
    }

    public static ArrowArray Float64s(double[] values, bool[] valid) => Columns.FromValues(ArrowType.Float64, values, valid);

    public static ArrowArray Int64s(long[] values, bool[] valid) => Columns.FromValues(ArrowType.Int64, values, valid);

    public static ArrowArray UInt64s(ulong[] values, bool[] valid) => Columns.FromValues(ArrowType.UInt64, values, valid);

    public static ArrowArray Timestamps(long[] values, bool[] valid) => Columns.FromValues(ArrowType.TimestampNanosecond, values, valid);

    /// <summary>Strings; a null string is a NULL row too (a kernel may answer NULL for a non-NULL input).</summary>
    public static ArrowArray Strings(string?[] values, bool[] valid)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!valid[i])
            {
                values[i] = null;
            }
        }
        return Columns.FromStrings(values);
    }

    public static ArrowArray Bools(bool[] values, bool[] valid)
    {
        var result = new bool?[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = valid[i] ? values[i] : null;
        }
        return Columns.FromBools(result);
    }

    /// <summary>The array as the call's answer: its single value when every argument was a constant.</summary>
    public static ColumnarValue Finish(ArrowArray array, bool scalar) => scalar ? ColumnarValue.Constant(ScalarAt(array, 0)) : ColumnarValue.Of(array);

    /// <summary>Row <paramref name="row"/> as a <see cref="ColumnarValue"/> scalar (boxed once, for constant results).</summary>
    public static object? ScalarAt(ArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            return null;
        }
        return array.Type.Id switch
        {
            ArrowTypeId.Timestamp => new TimestampScalar(array.Data.GetValues<long>()[row]),
            ArrowTypeId.Int64 => array.Data.GetValues<long>()[row],
            ArrowTypeId.UInt64 => array.Data.GetValues<ulong>()[row],
            ArrowTypeId.Float64 => array.Data.GetValues<double>()[row],
            ArrowTypeId.Boolean => ((BooleanArray)array).GetValue(row),
            _ when FunctionTypes.IsString(array.Type) => Columns.StringValues(array.Slice(row, 1))[0],
            _ => throw new InvalidOperationException($"no scalar of type {array.Type}"),
        };
    }

    /// <summary>An answer that is NULL on every row, typed <paramref name="type"/>.</summary>
    public static ColumnarValue Nulls(FunctionArguments args, ArrowType type)
    {
        if (AllScalar(args))
        {
            return ColumnarValue.Constant(null);
        }
        var n = args.RowCount;
        return ColumnarValue.Of(type.Id switch
        {
            ArrowTypeId.Null => ArrowArray.Create(new ArrayData(ArrowType.Null, n, n, [])),
            ArrowTypeId.Boolean => Columns.FromBools(new bool?[n]),
            ArrowTypeId.Utf8 => Columns.FromStrings(new string?[n]),
            _ => Columns.NullOf(type, n),
        });
    }
}
