using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>CASE, CAST and the scalar functions (abs, round, upper, coalesce, …).</summary>
internal sealed partial class Evaluator
{
    /// <summary>
    /// The column a reference names: <c>t.x</c> first as the qualified field "t.x" (join inputs), then the bare name,
    /// then a bare name that is the suffix ".x" of exactly one qualified field.
    /// </summary>
    internal static int FindColumn(Schema schema, ColumnReference c)
    {
        var name = c.Parts[^1].Value;
        if (c.Parts.Count > 1)
        {
            var qualified = schema.GetFieldIndex(c.Parts[^2].Value + "." + name);
            if (qualified >= 0)
            {
                return qualified;
            }
        }
        var index = schema.GetFieldIndex(name);
        if (index >= 0)
        {
            return index;
        }
        var found = -1;
        for (var i = 0; i < schema.FieldCount; i++)
        {
            if (schema[i].Name.EndsWith("." + name, StringComparison.Ordinal))
            {
                if (found >= 0 && c.Parts.Count == 1)
                {
                    return -1;
                }
                found = i;
            }
        }
        return c.Parts.Count == 1 ? found : -1;
    }

    private Value Case(CaseExpression e)
    {
        var pick = new int[Length];
        pick.AsSpan().Fill(e.Whens.Count);
        var decided = new bool[Length];
        var operand = e.Operand is null ? default : Eval(e.Operand);
        for (var w = 0; w < e.Whens.Count; w++)
        {
            var when = e.Whens[w];
            var mask = e.Operand is null ? Predicate(when.Condition) : Compare(operand, Eval(when.Condition), Arrow.Compute.ComparisonOp.Equal, when);
            for (var i = 0; i < Length; i++)
            {
                if (!decided[i] && mask.Get(i) == true)
                {
                    decided[i] = true;
                    pick[i] = w;
                }
            }
        }
        var branches = new List<ArrowArray?>();
        foreach (var when in e.Whens)
        {
            branches.Add(Branch(Eval(when.Result)));
        }
        branches.Add(e.Else is null ? null : Branch(Eval(e.Else)));
        return Value.Of(Columns.Choose(branches, pick, Length));
    }

    /// <summary>A branch of CASE/coalesce: null stands for a NULL literal (no type of its own).</summary>
    private ArrowArray? Branch(Value v) => v.IsScalar && v.Scalar is null ? null : Materialize(v);

    private Value Cast(CastExpression cast)
    {
        var v = Eval(cast.Operand);
        if (v.IsScalar)
        {
            if (v.Scalar is null)
            {
                return v;
            }
            var one = new Evaluator(text, now) { Length = 1 };
            var array = CastArray(one.Materialize(v), cast);
            return Value.Constant(array.IsNull(0) ? null : array.GetObject(0) switch
            {
                _ when array.Type.Id == ArrowTypeId.Timestamp => new TimestampScalar(Columns.Int64Values(array)[0]),
                var o => o,
            });
        }
        return Value.Of(CastArray(v.Array!, cast));
    }

    private ArrowArray CastArray(ArrowArray a, CastExpression cast)
    {
        var n = a.Length;
        var t = a.Type;
        switch (cast.Type)
        {
            case SqlType.Varchar:
                if (Columns.IsString(t))
                {
                    return Columns.Plain(a);
                }
                if (t.Id == ArrowTypeId.Timestamp)
                {
                    var ts = Columns.Int64Values(a);
                    return Columns.FromStrings([.. Enumerable.Range(0, n).Select(i => a.IsNull(i) ? null : TimeText.FormatTimestamp(ts[i]))]);
                }
                if (t.Id == ArrowTypeId.Boolean)
                {
                    var b = (BooleanArray)a;
                    return Columns.FromStrings([.. Enumerable.Range(0, n).Select(i => b.Get(i) is { } x ? (x ? "true" : "false") : null)]);
                }
                return Columns.FromStrings(Columns.StringValues(a));
            case SqlType.BigInt:
            {
                var valid = new bool[n];
                long[] values;
                if (Columns.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    values = new long[n];
                    for (var i = 0; i < n; i++)
                    {
                        if (s[i] is { } x)
                        {
                            values[i] = long.TryParse(x.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                                ? l
                                : throw text.Error(cast.Span, $"cannot cast '{x}' to BIGINT");
                        }
                    }
                }
                else if (t.Id == ArrowTypeId.Boolean)
                {
                    var b = (BooleanArray)a;
                    values = [.. Enumerable.Range(0, n).Select(i => b.Get(i) == true ? 1L : 0L)];
                }
                else if (t.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64)
                {
                    var d = Columns.DoubleValues(a);
                    values = new long[n];
                    for (var i = 0; i < n; i++)
                    {
                        if (a.IsNull(i))
                        {
                            continue;
                        }
                        var tr = Math.Truncate(d[i]);
                        if (double.IsNaN(tr) || tr < long.MinValue || tr >= 9.2233720368547758E18)
                        {
                            throw text.Error(cast.Span, $"cannot cast {d[i].ToString(CultureInfo.InvariantCulture)} to BIGINT");
                        }
                        values[i] = (long)tr;
                    }
                }
                else if (Columns.IsNumeric(t) || t.Id == ArrowTypeId.Timestamp)
                {
                    values = t.Id == ArrowTypeId.UInt64 ? [.. a.Data.GetValues<ulong>().ToArray().Select(u => checked((long)u))] : Columns.Int64Values(a);
                }
                else
                {
                    throw text.Error(cast.Span, $"cannot cast {t} to BIGINT");
                }
                for (var i = 0; i < n; i++)
                {
                    valid[i] = !a.IsNull(i);
                }
                return Columns.FromValues(ArrowType.Int64, values, a.NullCount == 0 ? null : valid);
            }
            case SqlType.Double:
            {
                double[] values;
                if (Columns.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    values = new double[n];
                    for (var i = 0; i < n; i++)
                    {
                        if (s[i] is { } x)
                        {
                            values[i] = double.TryParse(x.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                                ? d
                                : throw text.Error(cast.Span, $"cannot cast '{x}' to DOUBLE");
                        }
                    }
                }
                else if (t.Id == ArrowTypeId.Boolean)
                {
                    var b = (BooleanArray)a;
                    values = [.. Enumerable.Range(0, n).Select(i => b.Get(i) == true ? 1.0 : 0.0)];
                }
                else if (Columns.IsNumeric(t) || t.Id == ArrowTypeId.Timestamp)
                {
                    values = Columns.DoubleValues(a);
                }
                else
                {
                    throw text.Error(cast.Span, $"cannot cast {t} to DOUBLE");
                }
                return Columns.FromValues(ArrowType.Float64, values, Validity(a));
            }
            case SqlType.Boolean:
            {
                var result = new bool?[n];
                if (t.Id == ArrowTypeId.Boolean)
                {
                    return a;
                }
                if (Columns.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    for (var i = 0; i < n; i++)
                    {
                        result[i] = s[i]?.Trim().ToLowerInvariant() switch
                        {
                            null => null,
                            "true" or "t" or "1" or "yes" or "y" => true,
                            "false" or "f" or "0" or "no" or "n" => false,
                            var x => throw text.Error(cast.Span, $"cannot cast '{x}' to BOOLEAN"),
                        };
                    }
                }
                else if (Columns.IsNumeric(t))
                {
                    var d = Columns.DoubleValues(a);
                    for (var i = 0; i < n; i++)
                    {
                        result[i] = a.IsNull(i) ? null : d[i] != 0;
                    }
                }
                else
                {
                    throw text.Error(cast.Span, $"cannot cast {t} to BOOLEAN");
                }
                return Columns.FromBools(result);
            }
            default:
            {
                long[] values;
                if (Columns.IsString(t))
                {
                    var s = Columns.StringValues(a);
                    values = new long[n];
                    for (var i = 0; i < n; i++)
                    {
                        if (s[i] is { } x)
                        {
                            values[i] = TimeText.TryParseTimestamp(x, out var ns) ? ns : throw text.Error(cast.Span, $"invalid timestamp '{x}'");
                        }
                    }
                }
                else if (t.IsInteger || t.Id == ArrowTypeId.Timestamp)
                {
                    values = Columns.Int64Values(a);
                }
                else if (t.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64)
                {
                    values = Columns.Int64Values(a);
                }
                else
                {
                    throw text.Error(cast.Span, $"cannot cast {t} to TIMESTAMP");
                }
                return Columns.FromValues(ArrowType.TimestampNanosecond, values, Validity(a));
            }
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

    private ArrowArray Argument(FunctionCall call, int i) => Materialize(Eval(call.Arguments[i]));

    private ArrowArray NumericArgument(FunctionCall call, int i)
    {
        var a = Argument(call, i);
        if (!Columns.IsNumeric(a.Type))
        {
            throw text.Error(call.Arguments[i].Span, $"{call.Name.Value} needs a number, found {TypeName(a.Type)}");
        }
        return a;
    }

    private static bool IsFloat(ArrowArray a) => a.Type.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64;

    private static ArrowArray MapDouble(ArrowArray a, Func<double, double> f)
    {
        var d = Columns.DoubleValues(a);
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = f(d[i]);
        }
        return Columns.FromValues(ArrowType.Float64, d, Validity(a));
    }

    private ArrowArray MapString<T>(ArrowArray a, Expression at, Func<string, T> f, Func<T?[], ArrowArray> build)
    {
        if (!Columns.IsString(a.Type))
        {
            throw text.Error(at.Span, $"expected a string, found {TypeName(a.Type)}");
        }
        var s = Columns.StringValues(a);
        var result = new T?[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            result[i] = s[i] is { } x ? f(x) : default;
        }
        return build(result);
    }

    private Value Scalar(FunctionCall call)
    {
        var name = call.Name.Value;
        if (call.Star || call.Distinct || call.OrderBy.Count > 0 || call.Filter is not null)
        {
            throw text.Error(call.Span, $"{name} is not an aggregate function");
        }
        switch (name)
        {
            case "abs":
            {
                Arity(call, 1);
                var a = NumericArgument(call, 0);
                if (IsFloat(a))
                {
                    return Value.Of(MapDouble(a, Math.Abs));
                }
                var l = Columns.Int64Values(a);
                for (var i = 0; i < l.Length; i++)
                {
                    l[i] = a.IsNull(i) ? 0 : l[i] == long.MinValue ? throw text.Error(call.Span, "integer overflow") : Math.Abs(l[i]);
                }
                return Value.Of(Columns.FromValues(ArrowType.Int64, l, Validity(a)));
            }
            case "floor" or "ceil" or "ceiling" or "trunc" or "round":
            {
                if (call.Arguments.Count is < 1 or > 2 || (name != "round" && call.Arguments.Count != 1))
                {
                    throw text.Error(call.Span, $"{name} takes {(name == "round" ? "one or two arguments" : "one argument")}");
                }
                var a = NumericArgument(call, 0);
                var digits = 0;
                if (call.Arguments.Count == 2)
                {
                    digits = Eval(call.Arguments[1]).Scalar is long dl and >= -15 and <= 15 ? (int)dl : throw text.Error(call.Arguments[1].Span, "the number of digits must be an integer constant");
                }
                if (!IsFloat(a) && digits >= 0)
                {
                    return Value.Of(Columns.FromValues(ArrowType.Int64, Columns.Int64Values(a), Validity(a)));
                }
                var scale = Math.Pow(10, digits);
                Func<double, double> f = name switch
                {
                    "floor" => Math.Floor,
                    "ceil" or "ceiling" => Math.Ceiling,
                    "trunc" => Math.Truncate,
                    _ when digits == 0 => x => Math.Round(x, MidpointRounding.AwayFromZero),
                    _ => x => Math.Round(x * scale, MidpointRounding.AwayFromZero) / scale,
                };
                return Value.Of(MapDouble(a, f));
            }
            case "sqrt":
                Arity(call, 1);
                return Value.Of(MapDouble(NumericArgument(call, 0), Math.Sqrt));
            case "exp":
                Arity(call, 1);
                return Value.Of(MapDouble(NumericArgument(call, 0), Math.Exp));
            case "ln":
                Arity(call, 1);
                return Value.Of(MapDouble(NumericArgument(call, 0), Math.Log));
            case "log10":
                Arity(call, 1);
                return Value.Of(MapDouble(NumericArgument(call, 0), Math.Log10));
            case "power" or "pow":
            {
                Arity(call, 2);
                var x = NumericArgument(call, 0);
                var y = NumericArgument(call, 1);
                var xd = Columns.DoubleValues(x);
                var yd = Columns.DoubleValues(y);
                var valid = new bool[Length];
                for (var i = 0; i < Length; i++)
                {
                    valid[i] = !x.IsNull(i) && !y.IsNull(i);
                    xd[i] = Math.Pow(xd[i], yd[i]);
                }
                return Value.Of(Columns.FromValues(ArrowType.Float64, xd, valid));
            }
            case "upper" or "lower":
                Arity(call, 1);
                return Value.Of(MapString(Argument(call, 0), call.Arguments[0], s => name == "upper" ? s.ToUpperInvariant() : s.ToLowerInvariant(), Columns.FromStrings));
            case "length" or "char_length" or "character_length":
                Arity(call, 1);
                return Value.Of(MapString<long?>(Argument(call, 0), call.Arguments[0], s => s.EnumerateRunes().Count(), Int64s));
            case "substr" or "substring":
            {
                if (call.Arguments.Count is < 2 or > 3)
                {
                    throw text.Error(call.Span, $"{name} takes a string, a start and an optional length");
                }
                var start = Columns.Int64Values(NumericArgument(call, 1));
                var count = call.Arguments.Count == 3 ? Columns.Int64Values(NumericArgument(call, 2)) : null;
                var row = 0;
                return Value.Of(MapString(Argument(call, 0), call.Arguments[0], s =>
                {
                    var i = row++;
                    var runes = s.EnumerateRunes().ToArray();
                    // SQL: characters from position start (1-based) for count characters; positions before 1 count too.
                    var from = start[i];
                    var to = count is null ? long.MaxValue : from + Math.Max(0, count[i]);
                    var lo = (int)Math.Clamp(from - 1, 0, runes.Length);
                    var hi = (int)Math.Clamp(to - 1, lo, runes.Length);
                    return string.Concat(runes[lo..hi].Select(r => r.ToString()));
                }, Columns.FromStrings));
            }
            case "coalesce":
            {
                if (call.Arguments.Count == 0)
                {
                    throw text.Error(call.Span, "coalesce needs at least one argument");
                }
                var branches = call.Arguments.Select(a => Branch(Eval(a))).ToList();
                var pick = new int[Length];
                for (var i = 0; i < Length; i++)
                {
                    pick[i] = -1;
                    for (var b = 0; b < branches.Count; b++)
                    {
                        if (branches[b] is { } arr && !arr.IsNull(i))
                        {
                            pick[i] = b;
                            break;
                        }
                    }
                }
                return Value.Of(Columns.Choose(branches, pick, Length));
            }
            case "nullif":
            {
                Arity(call, 2);
                var first = Eval(call.Arguments[0]);
                var equal = Compare(first, Eval(call.Arguments[1]), Arrow.Compute.ComparisonOp.Equal, call);
                var pick = new int[Length];
                for (var i = 0; i < Length; i++)
                {
                    pick[i] = equal.Get(i) == true ? -1 : 0;
                }
                return Value.Of(Columns.Choose([Branch(first)], pick, Length));
            }
            default:
                throw text.Error(call.Span, $"unknown function '{name}'");
        }
    }

    private static ArrowArray Int64s(long?[] values) =>
        Columns.FromValues(ArrowType.Int64, [.. values.Select(v => v ?? 0)], [.. values.Select(v => v.HasValue)]);
}
