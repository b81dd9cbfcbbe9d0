using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>CAST / :: to Int64, Float64, Utf8, Boolean or Timestamp (float → int truncates toward zero).</summary>
public sealed class CastExpr(Expr operand, ArrowType type) : Expr
{
    public Expr Operand { get; } = operand;

    public override ArrowType Type { get; } = type;

    public override IReadOnlyList<Expr> Children { get; } = [operand];

    public override Expr WithChildren(IReadOnlyList<Expr> children) => new CastExpr(children[0], Type) { Location = Location };

    /// <summary>Whether a value of <paramref name="from"/> can be cast to <paramref name="to"/> at all (values may still fail).</summary>
    public static bool CanCast(ArrowType from, ArrowType to) => from.Id == ArrowTypeId.Null || to.Id switch
    {
        ArrowTypeId.Utf8 => true,
        ArrowTypeId.Int64 or ArrowTypeId.Float64 => Kernels.IsString(from) || Kernels.IsNumeric(from) || from.Id is ArrowTypeId.Boolean or ArrowTypeId.Timestamp,
        ArrowTypeId.Boolean => Kernels.IsString(from) || Kernels.IsNumeric(from) || from.Id == ArrowTypeId.Boolean,
        ArrowTypeId.Timestamp => Kernels.IsString(from) || Kernels.IsNumeric(from) || from.Id == ArrowTypeId.Timestamp,
        _ => false,
    };

    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context)
    {
        var v = Operand.Evaluate(batch, context);
        if (!v.IsScalar)
        {
            return ColumnarValue.Of(CastArray(v.Array!, Type));
        }
        if (v.Scalar is null)
        {
            return v;
        }
        var one = CastArray(v.ToArray(1), Type);
        return ColumnarValue.Constant(ScalarAt(one, 0));
    }

    /// <summary>Row <paramref name="i"/> of an array as a scalar of the engine's kinds.</summary>
    public static object? ScalarAt(ArrowArray array, int i)
    {
        if (array.IsNull(i))
        {
            return null;
        }
        return array.Type.Id switch
        {
            ArrowTypeId.Timestamp => new TimestampScalar(array.Data.GetValues<long>()[i]),
            ArrowTypeId.Boolean => ((BooleanArray)array).Get(i),
            ArrowTypeId.Int64 => array.Data.GetValues<long>()[i],
            ArrowTypeId.UInt64 => array.Data.GetValues<ulong>()[i],
            ArrowTypeId.Float64 => array.Data.GetValues<double>()[i],
            _ when Kernels.IsString(array.Type) => Columns.StringValues(array.Slice(i, 1))[0],
            _ => array.GetObject(i),
        };
    }

    public static ArrowArray CastArray(ArrowArray a, ArrowType target)
    {
        var n = a.Length;
        var t = a.Type;
        if (t.Id == ArrowTypeId.Null || (a.NullCount == n && t != target))
        {
            return Columns.NullOf(target, n);
        }
        switch (target.Id)
        {
            case ArrowTypeId.Utf8:
                if (Kernels.IsString(t))
                {
                    return Columns.Plain(a);
                }
                if (t.Id == ArrowTypeId.Timestamp)
                {
                    var ts = Columns.Int64Values(a);
                    var s = new string?[n];
                    for (var i = 0; i < n; i++)
                    {
                        s[i] = a.IsNull(i) ? null : TimeText.FormatTimestamp(ts[i]);
                    }
                    return Columns.FromStrings(s);
                }
                if (t.Id == ArrowTypeId.Boolean)
                {
                    var b = (BooleanArray)a;
                    var s = new string?[n];
                    for (var i = 0; i < n; i++)
                    {
                        s[i] = b.Get(i) is { } x ? (x ? "true" : "false") : null;
                    }
                    return Columns.FromStrings(s);
                }
                return Columns.FromStrings(Columns.StringValues(a));
            case ArrowTypeId.Int64:
            {
                var values = new long[n];
                if (Kernels.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    for (var i = 0; i < n; i++)
                    {
                        if (s[i] is { } x)
                        {
                            values[i] = long.TryParse(x.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                                ? l
                                : throw new QueryException($"cannot cast '{x}' to BIGINT");
                        }
                    }
                }
                else if (t.Id == ArrowTypeId.Boolean)
                {
                    var b = (BooleanArray)a;
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = b.Get(i) == true ? 1L : 0L;
                    }
                }
                else if (Kernels.IsFloat(t))
                {
                    var d = Columns.DoubleValues(a);
                    for (var i = 0; i < n; i++)
                    {
                        if (a.IsNull(i))
                        {
                            continue;
                        }
                        var tr = Math.Truncate(d[i]);
                        if (double.IsNaN(tr) || tr < long.MinValue || tr >= 9.2233720368547758E18)
                        {
                            throw new QueryException($"cannot cast {d[i].ToString(CultureInfo.InvariantCulture)} to BIGINT");
                        }
                        values[i] = (long)tr;
                    }
                }
                else if (t.Id == ArrowTypeId.UInt64)
                {
                    var u = a.Data.GetValues<ulong>();
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = a.IsNull(i) ? 0 : u[i] > long.MaxValue ? throw new QueryException($"cannot cast {u[i]} to BIGINT") : (long)u[i];
                    }
                }
                else
                {
                    values = Columns.Int64Values(a);
                }
                return Columns.FromValues(ArrowType.Int64, values, Validity(a));
            }
            case ArrowTypeId.Float64:
            {
                double[] values;
                if (Kernels.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    values = new double[n];
                    for (var i = 0; i < n; i++)
                    {
                        if (s[i] is { } x)
                        {
                            values[i] = double.TryParse(x.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                                ? d
                                : throw new QueryException($"cannot cast '{x}' to DOUBLE");
                        }
                    }
                }
                else if (t.Id == ArrowTypeId.Boolean)
                {
                    var b = (BooleanArray)a;
                    values = new double[n];
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = b.Get(i) == true ? 1.0 : 0.0;
                    }
                }
                else
                {
                    values = Columns.DoubleValues(a);
                }
                return Columns.FromValues(ArrowType.Float64, values, Validity(a));
            }
            case ArrowTypeId.Boolean:
            {
                if (t.Id == ArrowTypeId.Boolean)
                {
                    return a;
                }
                var result = new bool?[n];
                if (Kernels.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    for (var i = 0; i < n; i++)
                    {
                        result[i] = s[i]?.Trim().ToLowerInvariant() switch
                        {
                            null => null,
                            "true" or "t" or "1" or "yes" or "y" => true,
                            "false" or "f" or "0" or "no" or "n" => false,
                            var x => throw new QueryException($"cannot cast '{x}' to BOOLEAN"),
                        };
                    }
                }
                else
                {
                    var d = Columns.DoubleValues(a);
                    for (var i = 0; i < n; i++)
                    {
                        result[i] = a.IsNull(i) ? null : d[i] != 0;
                    }
                }
                return Columns.FromBools(result);
            }
            case ArrowTypeId.Timestamp:
            {
                long[] values;
                if (Kernels.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    values = new long[n];
                    for (var i = 0; i < n; i++)
                    {
                        if (s[i] is { } x)
                        {
                            values[i] = TimeText.TryParseTimestamp(x, out var ns) ? ns : throw new QueryException($"invalid timestamp '{x}'");
                        }
                    }
                }
                else
                {
                    values = Columns.Int64Values(a);
                }
                return Columns.FromValues(ArrowType.TimestampNanosecond, values, Validity(a));
            }
            default:
                throw new QueryException($"cannot cast {Kernels.TypeName(t)} to {Kernels.TypeName(target)}");
        }
    }

    private static bool[]? Validity(ArrowArray a)
    {
        if (a.NullCount == 0)
        {
            return null;
        }
        var valid = new bool[a.Length];
        for (var i = 0; i < valid.Length; i++)
        {
            valid[i] = !a.IsNull(i);
        }
        return valid;
    }

    public override string ToString() => $"CAST({Operand} AS {Kernels.TypeName(Type)})";
}
