using System.Globalization;
using System.Text.RegularExpressions;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>
/// The operator kernels of bound expressions, over whole columns. Types were checked when the expression was bound, so
/// failures here are about values (division by zero, overflow, a string that is not a number) and throw a
/// <see cref="QueryException"/> without a position; <see cref="Expr.Evaluate"/> adds the expression's.
/// </summary>
internal static class Kernels
{
    public static bool IsString(ArrowType t) => Columns.IsString(t);

    public static bool IsNumeric(ArrowType t) => Columns.IsNumeric(t);

    public static bool IsFloat(ArrowType t) => t.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64;

    public static string TypeName(ArrowType t) => t.Id switch
    {
        ArrowTypeId.Null => "NULL",
        ArrowTypeId.Int64 => "Int64",
        ArrowTypeId.UInt64 => "UInt64",
        ArrowTypeId.Float64 => "Float64",
        ArrowTypeId.Boolean => "Boolean",
        ArrowTypeId.Timestamp => "Timestamp",
        _ when Columns.IsString(t) => "Utf8",
        _ => t.ToString(),
    };

    public static ComparisonOp Flip(ComparisonOp op) => op switch
    {
        ComparisonOp.Less => ComparisonOp.Greater,
        ComparisonOp.LessOrEqual => ComparisonOp.GreaterOrEqual,
        ComparisonOp.Greater => ComparisonOp.Less,
        ComparisonOp.GreaterOrEqual => ComparisonOp.LessOrEqual,
        _ => op,
    };

    /// <summary>A comparison of two values (a timestamp's constant is already a <see cref="TimestampScalar"/>).</summary>
    public static ColumnarValue Compare(ColumnarValue l, ColumnarValue r, ComparisonOp op, int length)
    {
        if (l.IsScalar && r.IsScalar)
        {
            return ColumnarValue.Constant(CompareScalars(l.Scalar, r.Scalar, op));
        }
        if (l.IsScalar)
        {
            (l, r) = (r, l);
            op = Flip(op);
        }
        var left = l.Array!;
        if (r.IsScalar)
        {
            var scalar = r.Scalar switch { TimestampScalar t => t.Nanos, IntervalScalar i => i.Nanos, var s => s };
            return ColumnarValue.Of(Comparison.Compare(left, scalar, op));
        }
        return ColumnarValue.Of(Comparison.Compare(left, r.Array!, op));
    }

    private static bool? CompareScalars(object? a, object? b, ComparisonOp op)
    {
        if (a is null || b is null)
        {
            return null;
        }
        var left = Columns.Constant(a, 1);
        var right = b switch { TimestampScalar t => t.Nanos, IntervalScalar i => i.Nanos, var s => s };
        return Comparison.Compare(left, right, op).Get(0);
    }

    public enum ArithmeticOp
    {
        Add,
        Subtract,
        Multiply,
        Divide,
        Modulo,
    }

    /// <summary>+ - * / % on numbers, and timestamp ± interval. Integer division or modulo by zero is an error (as DataFusion).</summary>
    public static ColumnarValue Arithmetic(ArithmeticOp op, ColumnarValue l, ColumnarValue r, ArrowType resultType, int length)
    {
        if (l.IsScalar && r.IsScalar)
        {
            return ColumnarValue.Constant(FoldScalar(op, l.Scalar, r.Scalar));
        }
        if ((l.IsScalar && l.Scalar is null) || (r.IsScalar && r.Scalar is null))
        {
            return ColumnarValue.Of(Columns.NullOf(resultType, length));
        }
        if (l.IsScalar && op is ArithmeticOp.Add or ArithmeticOp.Multiply)
        {
            (l, r) = (r, l);
        }
        var left = l.ToArray(length);
        var isTime = left.Type.Id == ArrowTypeId.Timestamp;
        try
        {
            ArrowArray result;
            if (r.IsScalar)
            {
                object? scalar = r.Scalar switch { IntervalScalar i => i.Nanos, TimestampScalar t => t.Nanos, var s => s };
                if (op is ArithmeticOp.Divide or ArithmeticOp.Modulo && scalar is long or ulong && Convert.ToInt64(scalar, CultureInfo.InvariantCulture) == 0 && !IsFloat(left.Type))
                {
                    throw new QueryException(op == ArithmeticOp.Divide ? "division by zero" : "modulo by zero");
                }
                result = op switch
                {
                    ArithmeticOp.Add => Tsdb.Arrow.Compute.Arithmetic.Add(left, scalar),
                    ArithmeticOp.Subtract => Tsdb.Arrow.Compute.Arithmetic.Subtract(left, scalar),
                    ArithmeticOp.Multiply => Tsdb.Arrow.Compute.Arithmetic.Multiply(left, scalar),
                    ArithmeticOp.Divide => Tsdb.Arrow.Compute.Arithmetic.Divide(left, scalar),
                    _ => Tsdb.Arrow.Compute.Arithmetic.Modulo(left, scalar),
                };
            }
            else
            {
                var right = r.Array!;
                if (op is ArithmeticOp.Divide or ArithmeticOp.Modulo && !IsFloat(left.Type) && !IsFloat(right.Type) && HasZero(right))
                {
                    throw new QueryException(op == ArithmeticOp.Divide ? "division by zero" : "modulo by zero");
                }
                result = op switch
                {
                    ArithmeticOp.Add => Tsdb.Arrow.Compute.Arithmetic.Add(left, right),
                    ArithmeticOp.Subtract => Tsdb.Arrow.Compute.Arithmetic.Subtract(left, right),
                    ArithmeticOp.Multiply => Tsdb.Arrow.Compute.Arithmetic.Multiply(left, right),
                    ArithmeticOp.Divide => Tsdb.Arrow.Compute.Arithmetic.Divide(left, right),
                    _ => Tsdb.Arrow.Compute.Arithmetic.Modulo(left, right),
                };
            }
            return ColumnarValue.Of(isTime && resultType.Id == ArrowTypeId.Timestamp ? Columns.Retype(result, ArrowType.TimestampNanosecond) : result);
        }
        catch (ArithmeticException ex)
        {
            throw new QueryException(ex.Message);
        }
    }

    private static bool HasZero(ArrowArray a)
    {
        if (a.Type.Id == ArrowTypeId.UInt64)
        {
            var u = a.Data.GetValues<ulong>();
            for (var i = 0; i < u.Length; i++)
            {
                if (u[i] == 0 && !a.IsNull(i))
                {
                    return true;
                }
            }
            return false;
        }
        var v = Columns.Int64Values(a);
        for (var i = 0; i < v.Length; i++)
        {
            if (v[i] == 0 && !a.IsNull(i))
            {
                return true;
            }
        }
        return false;
    }

    public static object? FoldScalar(ArithmeticOp op, object? l, object? r)
    {
        if (l is null || r is null)
        {
            return null;
        }
        try
        {
            switch (l, r)
            {
                case (TimestampScalar t, IntervalScalar i) when op is ArithmeticOp.Add or ArithmeticOp.Subtract:
                    return new TimestampScalar(op == ArithmeticOp.Add ? checked(t.Nanos + i.Nanos) : checked(t.Nanos - i.Nanos));
                case (IntervalScalar i, TimestampScalar t) when op is ArithmeticOp.Add:
                    return new TimestampScalar(checked(t.Nanos + i.Nanos));
                case (TimestampScalar a, TimestampScalar b) when op is ArithmeticOp.Subtract:
                    return checked(a.Nanos - b.Nanos);
                case (IntervalScalar a, IntervalScalar b) when op is ArithmeticOp.Add or ArithmeticOp.Subtract:
                    return new IntervalScalar(op == ArithmeticOp.Add ? checked(a.Nanos + b.Nanos) : checked(a.Nanos - b.Nanos));
                case (IntervalScalar a, long b) when op is ArithmeticOp.Multiply:
                    return new IntervalScalar(checked(a.Nanos * b));
                case (long a, IntervalScalar b) when op is ArithmeticOp.Multiply:
                    return new IntervalScalar(checked(a * b.Nanos));
                case (long x, long y):
                    return op switch
                    {
                        ArithmeticOp.Add => checked(x + y),
                        ArithmeticOp.Subtract => checked(x - y),
                        ArithmeticOp.Multiply => checked(x * y),
                        ArithmeticOp.Divide => y == 0 ? throw new QueryException("division by zero") : x / y,
                        _ => y == 0 ? throw new QueryException("modulo by zero") : x % y,
                    };
                case (long or double or ulong, long or double or ulong):
                    var a2 = Convert.ToDouble(l, CultureInfo.InvariantCulture);
                    var c = Convert.ToDouble(r, CultureInfo.InvariantCulture);
                    return op switch
                    {
                        ArithmeticOp.Add => a2 + c,
                        ArithmeticOp.Subtract => a2 - c,
                        ArithmeticOp.Multiply => a2 * c,
                        ArithmeticOp.Divide => a2 / c,
                        _ => a2 % c,
                    };
                default:
                    throw new QueryException("cannot do arithmetic on these constants");
            }
        }
        catch (OverflowException)
        {
            throw new QueryException("integer overflow");
        }
    }

    public static ColumnarValue Concat(ColumnarValue l, ColumnarValue r, int length)
    {
        if (l.IsScalar && r.IsScalar)
        {
            return ColumnarValue.Constant(l.Scalar is null || r.Scalar is null ? null : ScalarText(l.Scalar) + ScalarText(r.Scalar));
        }
        var left = Columns.StringValues(l.ToArray(length));
        var right = Columns.StringValues(r.ToArray(length));
        var result = new string?[length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = left[i] is null || right[i] is null ? null : left[i] + right[i];
        }
        return ColumnarValue.Of(Columns.FromStrings(result));
    }

    private static string ScalarText(object value) => value switch
    {
        string s => s,
        TimestampScalar t => TimeText.FormatTimestamp(t.Nanos),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A string predicate, once per dictionary entry for dictionary columns.</summary>
    public static ColumnarValue MatchStrings(ColumnarValue v, int length, Func<string, bool> predicate)
    {
        if (v.IsScalar)
        {
            return ColumnarValue.Constant(v.Scalar is string s ? predicate(s) : null);
        }
        var array = v.Array!;
        var result = new bool?[array.Length];
        if (array is DictionaryArray dict)
        {
            var entries = Columns.StringValues(dict.Dictionary);
            var matches = new bool?[entries.Length];
            for (var i = 0; i < entries.Length; i++)
            {
                matches[i] = entries[i] is { } s ? predicate(s) : null;
            }
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = dict.IsNull(i) ? null : matches[dict.GetIndex(i)];
            }
        }
        else
        {
            var values = Columns.StringValues(array);
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = values[i] is { } s ? predicate(s) : null;
            }
        }
        return ColumnarValue.Of(Columns.FromBools(result));
    }

    public static Regex LikeRegex(string pattern, bool caseInsensitive)
    {
        var sb = new System.Text.StringBuilder("^");
        foreach (var ch in pattern)
        {
            sb.Append(ch switch { '%' => ".*", '_' => ".", _ => Regex.Escape(ch.ToString()) });
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant | (caseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None));
    }

    public static ColumnarValue And(ColumnarValue l, ColumnarValue r, int length) => BooleanOp(l, r, length, isAnd: true);

    public static ColumnarValue Or(ColumnarValue l, ColumnarValue r, int length) => BooleanOp(l, r, length, isAnd: false);

    private static ColumnarValue BooleanOp(ColumnarValue l, ColumnarValue r, int length, bool isAnd)
    {
        if (l.IsScalar && r.IsScalar)
        {
            var a = (bool?)l.Scalar;
            var b = (bool?)r.Scalar;
            return ColumnarValue.Constant(isAnd
                ? (a == false || b == false ? false : a is null || b is null ? null : true)
                : (a == true || b == true ? true : a is null || b is null ? null : false));
        }
        // A constant that decides the result on its own (false AND x, true OR x) needs no kernel.
        if (l.IsScalar || r.IsScalar)
        {
            var (constant, column) = l.IsScalar ? (l, r) : (r, l);
            if (constant.Scalar is bool c)
            {
                if (c == !isAnd)
                {
                    return ColumnarValue.Constant(c);
                }
                return column;
            }
        }
        var left = (BooleanArray)l.ToArray(length);
        var right = (BooleanArray)r.ToArray(length);
        return ColumnarValue.Of(isAnd ? Logical.And(left, right) : Logical.Or(left, right));
    }

    public static ColumnarValue Not(ColumnarValue v) =>
        v.IsScalar ? ColumnarValue.Constant(v.Scalar is bool b ? !b : null) : ColumnarValue.Of(Logical.Not((BooleanArray)v.Array!));
}
