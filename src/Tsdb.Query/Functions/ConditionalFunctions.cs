using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>coalesce, nullif, greatest and least: one value chosen per row among the arguments, in their common type.</summary>
internal static class ConditionalFunctions
{
    public static void Register(List<ScalarFunction> into)
    {
        into.Add(Define.Function("coalesce", "value, ...", 1, int.MaxValue, [ArgKind.Any], t => FunctionTypes.CommonType("coalesce", t), Coalesce));
        into.Add(Define.Function("nullif", "value, other", 2, 2, [ArgKind.Any], t => FunctionTypes.CommonType("nullif", t), NullIf));
        into.Add(Define.Function("greatest", "value, ...", 1, int.MaxValue, [ArgKind.Any], t => FunctionTypes.CommonType("greatest", t), a => Extreme(a, "greatest", 1)));
        into.Add(Define.Function(ScalarFunctions.OneRow, "value, rows", 2, 2, [ArgKind.Any, ArgKind.Integer], t => t[0], CheckOneRow));
        into.Add(Define.Function("least", "value, ...", 1, int.MaxValue, [ArgKind.Any], t => FunctionTypes.CommonType("least", t), a => Extreme(a, "least", -1)));
    }

    /// <summary>
    /// <see cref="ScalarFunctions.OneRow"/>: the value where the row count is at most one, an error where it is more.
    /// </summary>
    private static ColumnarValue CheckOneRow(FunctionArguments a)
    {
        var rows = new ArgReader(a[1], 1);
        var n = rows.IsScalar ? 1 : a.RowCount;
        for (var i = 0; i < n; i++)
        {
            if (!rows.IsNull(i) && rows.Long(i) > 1)
            {
                throw new FunctionException("a scalar subquery returned more than one row for an outer row; aggregate it (max(…), …) or end it in LIMIT 1");
            }
        }
        return a[0];
    }

    private static ColumnarValue Coalesce(FunctionArguments a) => Pick(a, FunctionTypes.CommonType("coalesce", a.Types), static (_, r, i) =>
    {
        for (var k = 0; k < r.Length; k++)
        {
            if (!r[k].IsNull(i))
            {
                return k;
            }
        }
        return -1;
    });

    /// <summary>NULL where the first argument equals the second, else the first.</summary>
    private static ColumnarValue NullIf(FunctionArguments a) => Pick(a, FunctionTypes.CommonType("nullif", a.Types), static (type, r, i) =>
        r[0].IsNull(i) || (!r[1].IsNull(i) && Compare(type, r[0], r[1], i) == 0) ? -1 : 0);

    /// <summary>The largest (<paramref name="sign"/> 1) or smallest (-1) non-NULL argument; NULL only when all are.</summary>
    private static ColumnarValue Extreme(FunctionArguments a, string name, int sign) => Pick(a, FunctionTypes.CommonType(name, a.Types), (type, r, i) =>
    {
        var best = -1;
        for (var k = 0; k < r.Length; k++)
        {
            if (!r[k].IsNull(i) && (best < 0 || Compare(type, r[k], r[best], i) * sign > 0))
            {
                best = k;
            }
        }
        return best;
    });

    /// <summary>
    /// Row i of argument <c>choose(type, readers, i)</c> (-1: NULL), read as <paramref name="type"/>.
    /// </summary>
    private static ColumnarValue Pick(FunctionArguments a, ArrowType type, Func<ArrowType, ArgReader[], int, int> choose)
    {
        if (type.Id == ArrowTypeId.Null)
        {
            return Kernel.Nulls(a, ArrowType.Null);
        }
        var scalar = Kernel.AllScalar(a);
        var n = scalar ? 1 : a.RowCount;
        var r = Kernel.Read(a);
        var valid = new bool[n];
        switch (type.Id)
        {
            case ArrowTypeId.Float64:
            {
                var values = new double[n];
                for (var i = 0; i < n; i++)
                {
                    if (choose(type, r, i) is var k and >= 0)
                    {
                        values[i] = r[k].Double(i);
                        valid[i] = true;
                    }
                }
                return Kernel.Finish(Kernel.Float64s(values, valid), scalar);
            }
            case ArrowTypeId.UInt64:
            {
                var values = new ulong[n];
                for (var i = 0; i < n; i++)
                {
                    if (choose(type, r, i) is var k and >= 0)
                    {
                        values[i] = r[k].ULong(i);
                        valid[i] = true;
                    }
                }
                return Kernel.Finish(Kernel.UInt64s(values, valid), scalar);
            }
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp:
            {
                var timestamp = type.Id == ArrowTypeId.Timestamp;
                var values = new long[n];
                for (var i = 0; i < n; i++)
                {
                    if (choose(type, r, i) is var k and >= 0)
                    {
                        values[i] = timestamp ? r[k].Nanos(i) : r[k].Long(i);
                        valid[i] = true;
                    }
                }
                return Kernel.Finish(timestamp ? Kernel.Timestamps(values, valid) : Kernel.Int64s(values, valid), scalar);
            }
            case ArrowTypeId.Boolean:
            {
                var values = new bool[n];
                for (var i = 0; i < n; i++)
                {
                    if (choose(type, r, i) is var k and >= 0)
                    {
                        values[i] = r[k].Bool(i);
                        valid[i] = true;
                    }
                }
                return Kernel.Finish(Kernel.Bools(values, valid), scalar);
            }
            default:
            {
                var values = new string?[n];
                for (var i = 0; i < n; i++)
                {
                    if (choose(type, r, i) is var k and >= 0)
                    {
                        values[i] = r[k].String(i);
                        valid[i] = true;
                    }
                }
                return Kernel.Finish(Kernel.Strings(values, valid), scalar);
            }
        }
    }

    /// <summary>Two non-NULL values of row i in <paramref name="type"/>; NaN is above every float (Arrow's total order).</summary>
    private static int Compare(ArrowType type, ArgReader x, ArgReader y, int i) => type.Id switch
    {
        ArrowTypeId.Float64 => CompareDoubles(x.Double(i), y.Double(i)),
        ArrowTypeId.UInt64 => x.ULong(i).CompareTo(y.ULong(i)),
        ArrowTypeId.Int64 => x.Long(i).CompareTo(y.Long(i)),
        ArrowTypeId.Timestamp => x.Nanos(i).CompareTo(y.Nanos(i)),
        ArrowTypeId.Boolean => x.Bool(i).CompareTo(y.Bool(i)),
        _ => string.CompareOrdinal(x.String(i), y.String(i)),
    };

    private static int CompareDoubles(double a, double b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b);
}
