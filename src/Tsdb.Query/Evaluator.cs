using System.Text.RegularExpressions;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>
/// Evaluates an expression over a whole batch at a time. After aggregation, <see cref="Substitutions"/> maps the
/// printed form of group keys and aggregate calls to their computed columns, and bare columns are refused.
/// </summary>
internal sealed partial class Evaluator(QueryText text, long now)
{
    public RecordBatch? Batch { get; init; }

    public int Length { get; init; }

    public Dictionary<string, ArrowArray>? Substitutions { get; init; }

    public static readonly HashSet<string> AggregateNames = new(StringComparer.Ordinal)
    {
        "count", "sum", "avg", "mean", "min", "max", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "var", "median",
        "first_value", "last_value", "approx_percentile_cont", "selector_first", "selector_last", "selector_min", "selector_max",
    };

    public static bool IsSelector(FunctionCall f) => f.Name.Value is "selector_first" or "selector_last" or "selector_min" or "selector_max";

    public static bool IsAggregate(Expression e) => e is FunctionCall f && AggregateNames.Contains(f.Name.Value);

    public Value Eval(Expression e)
    {
        if (Substitutions is not null && Substitutions.TryGetValue(SqlPrinter.Print(e), out var sub))
        {
            return Value.Of(sub);
        }
        switch (e)
        {
            case ColumnReference c:
                return Column(c);
            case IntegerLiteral i:
                return Value.Constant(i.Value);
            case FloatLiteral f:
                return Value.Constant(f.Value);
            case StringLiteral s:
                return Value.Constant(s.Value);
            case BooleanLiteral b:
                return Value.Constant(b.Value);
            case NullLiteral:
                return Value.Constant(null);
            case ParameterExpression p:
                return Value.Constant(text.Parameter(p));
            case IntervalLiteral iv:
                return TimeText.TryParseInterval(iv.Value, out var ns)
                    ? Value.Constant(new IntervalScalar(ns))
                    : throw text.Error(iv.Span, $"unsupported interval '{iv.Value}'");
            case CastExpression { Type: SqlType.Timestamp, Operand: StringLiteral s } cast:
                return TimeText.TryParseTimestamp(s.Value, out var t)
                    ? Value.Constant(new TimestampScalar(t))
                    : throw text.Error(cast.Span, $"invalid timestamp '{s.Value}'");
            case CastExpression cast:
                return Cast(cast);
            case CaseExpression caseExpr:
                return Case(caseExpr);
            case UnaryExpression u:
                return Unary(u);
            case BinaryExpression b:
                return Binary(b);
            case IsNullExpression n:
            {
                var v = Materialize(Eval(n.Operand));
                return Value.Of(n.Negated ? Logical.IsNotNull(v) : Logical.IsNull(v));
            }
            case InListExpression inList:
            {
                var operand = Eval(inList.Operand);
                BooleanArray? any = null;
                foreach (var item in inList.Values)
                {
                    var eq = Compare(operand, Eval(item), ComparisonOp.Equal, item);
                    any = any is null ? eq : Logical.Or(any, eq);
                }
                return Value.Of(inList.Negated ? Logical.Not(any!) : any!);
            }
            case BetweenExpression between:
            {
                var operand = Eval(between.Operand);
                var r = Logical.And(
                    Compare(operand, Eval(between.Low), ComparisonOp.GreaterOrEqual, between.Low),
                    Compare(operand, Eval(between.High), ComparisonOp.LessOrEqual, between.High));
                return Value.Of(between.Negated ? Logical.Not(r) : r);
            }
            case LikeExpression like:
                return Like(like);
            case FunctionCall call:
                return Function(call);
            default:
                throw text.Error(e.Span, $"{Describe(e)} is not supported yet");
        }
    }

    public BooleanArray Predicate(Expression e)
    {
        var v = Eval(e);
        var array = Materialize(v);
        if (array is BooleanArray b)
        {
            return b;
        }
        if (v.IsScalar && v.Scalar is null)
        {
            return Comparison.Compare(array, (object?)null, ComparisonOp.Equal);
        }
        throw text.Error(e.Span, $"expected a boolean expression, found {array.Type}");
    }

    public ArrowArray Materialize(Value v) => v.Array ?? Columns.Constant(v.Scalar, Length);

    private static string Describe(Expression e) => e switch
    {
        CaseExpression => "CASE",
        CastExpression => "CAST",
        ScalarSubquery => "a scalar subquery",
        ExistsExpression => "EXISTS",
        InSubqueryExpression => "IN (subquery)",
        ParameterExpression p => $"parameter ${p.Name}",
        _ => e.GetType().Name.Replace("Expression", "", StringComparison.Ordinal),
    };

    private Value Column(ColumnReference c)
    {
        var name = c.Parts[^1].Value;
        if (Substitutions is not null)
        {
            if (Substitutions.TryGetValue(name, out var byName))
            {
                return Value.Of(byName);
            }
            throw text.Error(c.Span, $"column '{name}' must appear in the GROUP BY clause or be used in an aggregate function");
        }
        var index = Batch is null ? -1 : FindColumn(Batch.Schema, c);
        if (index < 0)
        {
            throw text.Error(c.Span, $"unknown column '{(c.Parts.Count > 1 ? c.Parts[^2].Value + "." : "")}{name}'");
        }
        return Value.Of(Batch!.Column(index));
    }

    private Value Unary(UnaryExpression u)
    {
        var v = Eval(u.Operand);
        switch (u.Operator)
        {
            case UnaryOperator.Plus:
                return v;
            case UnaryOperator.Not:
                if (v.IsScalar)
                {
                    return Value.Constant(v.Scalar is bool b ? !b : v.Scalar is null ? null : throw text.Error(u.Span, "NOT needs a boolean"));
                }
                return v.Array is BooleanArray ba ? Value.Of(Logical.Not(ba)) : throw text.Error(u.Span, $"NOT needs a boolean, found {v.Array!.Type}");
            default:
                if (v.IsScalar)
                {
                    return Value.Constant(v.Scalar switch
                    {
                        null => null,
                        long l => -l,
                        double d => -d,
                        IntervalScalar i => new IntervalScalar(-i.Nanos),
                        _ => throw text.Error(u.Span, "cannot negate this value"),
                    });
                }
                CheckNumeric(v.Array!, u.Operand);
                return Value.Of(Arithmetic.Multiply(v.Array!, v.Array!.Type.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64 ? -1.0 : (object)-1L));
        }
    }

    private void CheckNumeric(ArrowArray a, Expression e)
    {
        if (!Columns.IsNumeric(a.Type) && a.Type.Id != ArrowTypeId.Timestamp)
        {
            throw text.Error(e.Span, $"expected a number, found {TypeName(a.Type)}");
        }
    }

    private static string TypeName(ArrowType t) => Columns.IsString(t) ? "a string" : t.ToString();

    private Value Binary(BinaryExpression b)
    {
        switch (b.Operator)
        {
            case BinaryOperator.And or BinaryOperator.Or:
            {
                var l = Predicate(b.Left);
                var r = Predicate(b.Right);
                return Value.Of(b.Operator == BinaryOperator.And ? Logical.And(l, r) : Logical.Or(l, r));
            }
            case BinaryOperator.Equal:
                return Value.Of(Compare(Eval(b.Left), Eval(b.Right), ComparisonOp.Equal, b));
            case BinaryOperator.NotEqual:
                return Value.Of(Compare(Eval(b.Left), Eval(b.Right), ComparisonOp.NotEqual, b));
            case BinaryOperator.Less:
                return Value.Of(Compare(Eval(b.Left), Eval(b.Right), ComparisonOp.Less, b));
            case BinaryOperator.LessOrEqual:
                return Value.Of(Compare(Eval(b.Left), Eval(b.Right), ComparisonOp.LessOrEqual, b));
            case BinaryOperator.Greater:
                return Value.Of(Compare(Eval(b.Left), Eval(b.Right), ComparisonOp.Greater, b));
            case BinaryOperator.GreaterOrEqual:
                return Value.Of(Compare(Eval(b.Left), Eval(b.Right), ComparisonOp.GreaterOrEqual, b));
            case BinaryOperator.RegexMatch or BinaryOperator.RegexNotMatch or BinaryOperator.RegexIMatch or BinaryOperator.RegexNotIMatch:
            {
                var pattern = Eval(b.Right).Scalar as string ?? throw text.Error(b.Right.Span, "the regular expression must be a string literal");
                var options = b.Operator is BinaryOperator.RegexIMatch or BinaryOperator.RegexNotIMatch ? RegexOptions.IgnoreCase : RegexOptions.None;
                Regex regex;
                try
                {
                    regex = new Regex(pattern, options | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw text.Error(b.Right.Span, $"invalid regular expression: {ex.Message}");
                }
                var negate = b.Operator is BinaryOperator.RegexNotMatch or BinaryOperator.RegexNotIMatch;
                return Value.Of(MatchStrings(Eval(b.Left), b.Left, s => regex.IsMatch(s) != negate));
            }
            case BinaryOperator.Concat:
            {
                var l = Columns.StringValues(Materialize(Eval(b.Left)));
                var r = Columns.StringValues(Materialize(Eval(b.Right)));
                var result = new string?[Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = l[i] is null || r[i] is null ? null : l[i] + r[i];
                }
                return Value.Of(Columns.FromStrings(result));
            }
            default:
                return Arith(b.Operator, Eval(b.Left), Eval(b.Right), b);
        }
    }

    private Value Arith(BinaryOperator op, Value l, Value r, BinaryExpression b)
    {
        if (l.IsScalar && r.IsScalar)
        {
            return Value.Constant(FoldScalar(op, l.Scalar, r.Scalar, b));
        }
        if (l.IsScalar && op is BinaryOperator.Add or BinaryOperator.Multiply && l.Scalar is not IntervalScalar)
        {
            (l, r) = (r, l);
        }
        var left = Materialize(l);
        CheckNumeric(left, b.Left);
        var isTime = left.Type.Id == ArrowTypeId.Timestamp;
        if (isTime && op is not (BinaryOperator.Add or BinaryOperator.Subtract))
        {
            throw text.Error(b.Span, "only + and - are defined for timestamps");
        }
        if (isTime && r.IsScalar && r.Scalar is not (IntervalScalar or null))
        {
            throw text.Error(b.Right.Span, "a timestamp can only be shifted by an INTERVAL");
        }
        try
        {
            ArrowArray result;
            if (r.IsScalar)
            {
                object? scalar = r.Scalar switch { IntervalScalar i => i.Nanos, TimestampScalar t => t.Nanos, string => throw text.Error(b.Right.Span, "expected a number, found a string"), var s => s };
                result = op switch
                {
                    BinaryOperator.Add => Arithmetic.Add(left, scalar),
                    BinaryOperator.Subtract => Arithmetic.Subtract(left, scalar),
                    BinaryOperator.Multiply => Arithmetic.Multiply(left, scalar),
                    BinaryOperator.Divide => Arithmetic.Divide(left, scalar),
                    _ => Arithmetic.Modulo(left, scalar),
                };
            }
            else
            {
                CheckNumeric(r.Array!, b.Right);
                result = op switch
                {
                    BinaryOperator.Add => Arithmetic.Add(left, r.Array!),
                    BinaryOperator.Subtract => Arithmetic.Subtract(left, r.Array!),
                    BinaryOperator.Multiply => Arithmetic.Multiply(left, r.Array!),
                    BinaryOperator.Divide => Arithmetic.Divide(left, r.Array!),
                    _ => Arithmetic.Modulo(left, r.Array!),
                };
                if (isTime && r.Array!.Type.Id == ArrowTypeId.Timestamp)
                {
                    return Value.Of(result);
                }
            }
            return Value.Of(isTime ? Columns.Retype(result, ArrowType.TimestampNanosecond) : result);
        }
        catch (ArithmeticException ex)
        {
            throw text.Error(b.Span, ex.Message);
        }
    }

    private object? FoldScalar(BinaryOperator op, object? l, object? r, BinaryExpression b)
    {
        if (l is null || r is null)
        {
            return null;
        }
        try
        {
            switch (l, r)
            {
                case (TimestampScalar t, IntervalScalar i) when op is BinaryOperator.Add or BinaryOperator.Subtract:
                    return new TimestampScalar(op == BinaryOperator.Add ? checked(t.Nanos + i.Nanos) : checked(t.Nanos - i.Nanos));
                case (IntervalScalar i, TimestampScalar t) when op is BinaryOperator.Add:
                    return new TimestampScalar(checked(t.Nanos + i.Nanos));
                case (long x, long y):
                    return op switch
                    {
                        BinaryOperator.Add => checked(x + y),
                        BinaryOperator.Subtract => checked(x - y),
                        BinaryOperator.Multiply => checked(x * y),
                        BinaryOperator.Divide => y == 0 ? null : x / y,
                        _ => y == 0 ? null : x % y,
                    };
                case (long or double, long or double):
                    var a = Convert.ToDouble(l, System.Globalization.CultureInfo.InvariantCulture);
                    var c = Convert.ToDouble(r, System.Globalization.CultureInfo.InvariantCulture);
                    return op switch
                    {
                        BinaryOperator.Add => a + c,
                        BinaryOperator.Subtract => a - c,
                        BinaryOperator.Multiply => a * c,
                        BinaryOperator.Divide => a / c,
                        _ => a % c,
                    };
                default:
                    throw text.Error(b.Span, "cannot do arithmetic on these constants");
            }
        }
        catch (OverflowException)
        {
            throw text.Error(b.Span, "integer overflow");
        }
    }

    /// <summary>A comparison; a string constant against a timestamp column is read as RFC 3339.</summary>
    private BooleanArray Compare(Value l, Value r, ComparisonOp op, SqlNode at)
    {
        if (l.IsScalar && !r.IsScalar)
        {
            (l, r) = (r, l);
            op = op switch
            {
                ComparisonOp.Less => ComparisonOp.Greater,
                ComparisonOp.LessOrEqual => ComparisonOp.GreaterOrEqual,
                ComparisonOp.Greater => ComparisonOp.Less,
                ComparisonOp.GreaterOrEqual => ComparisonOp.LessOrEqual,
                _ => op,
            };
        }
        var left = Materialize(l);
        if (r.IsScalar)
        {
            var scalar = r.Scalar;
            if (left.Type.Id == ArrowTypeId.Timestamp)
            {
                scalar = scalar switch
                {
                    string s => TimeText.TryParseTimestamp(s, out var ns) ? ns : throw text.Error(at.Span, $"cannot compare time with '{s}': not an RFC 3339 timestamp"),
                    TimestampScalar t => t.Nanos,
                    null => null,
                    _ => throw text.Error(at.Span, "cannot compare a timestamp with a number"),
                };
            }
            else
            {
                scalar = scalar switch { TimestampScalar t => t.Nanos, IntervalScalar i => i.Nanos, var s => s };
                CheckComparable(left.Type, scalar, at);
            }
            return Comparison.Compare(left, scalar, op);
        }
        var right = r.Array!;
        if (Columns.IsString(left.Type) != Columns.IsString(right.Type))
        {
            throw text.Error(at.Span, $"cannot compare {TypeName(left.Type)} with {TypeName(right.Type)}");
        }
        return Comparison.Compare(left, right, op);
    }

    private void CheckComparable(ArrowType type, object? scalar, SqlNode at)
    {
        if (scalar is null)
        {
            return;
        }
        var isString = Columns.IsString(type);
        if (isString != scalar is string || (type.Id == ArrowTypeId.Boolean) != scalar is bool)
        {
            throw text.Error(at.Span, $"cannot compare {TypeName(type)} with {(scalar is string ? "a string" : scalar is bool ? "a boolean" : "a number")}");
        }
    }

    private Value Like(LikeExpression like)
    {
        var pattern = Eval(like.Pattern).Scalar as string ?? throw text.Error(like.Pattern.Span, "the LIKE pattern must be a string literal");
        var sb = new System.Text.StringBuilder("^");
        foreach (var ch in pattern)
        {
            sb.Append(ch switch { '%' => ".*", '_' => ".", _ => Regex.Escape(ch.ToString()) });
        }
        sb.Append('$');
        var regex = new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant | (like.CaseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None));
        return Value.Of(MatchStrings(Eval(like.Operand), like.Operand, s => regex.IsMatch(s) != like.Negated));
    }

    /// <summary>A string predicate, once per dictionary entry for dictionary columns.</summary>
    private BooleanArray MatchStrings(Value v, Expression at, Func<string, bool> predicate)
    {
        var array = Materialize(v);
        if (!Columns.IsString(array.Type))
        {
            throw text.Error(at.Span, $"expected a string, found {array.Type}");
        }
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
        return Columns.FromBools(result);
    }

    private Value Function(FunctionCall call)
    {
        var name = call.Name.Value;
        if (AggregateNames.Contains(name))
        {
            throw text.Error(call.Span, $"aggregate function '{name}' is not allowed here");
        }
        switch (name)
        {
            case "now":
                Arity(call, 0);
                return Value.Constant(new TimestampScalar(now));
            case "date_bin" or "time_bucket":
            {
                if (call.Arguments.Count is < 2 or > 3)
                {
                    throw text.Error(call.Span, $"{name} takes an interval, a timestamp and an optional origin");
                }
                var stride = Eval(call.Arguments[0]).Scalar is IntervalScalar iv && iv.Nanos > 0
                    ? iv.Nanos
                    : throw text.Error(call.Arguments[0].Span, $"the first argument of {name} must be a positive INTERVAL");
                long origin = 0;
                if (call.Arguments.Count == 3)
                {
                    origin = Eval(call.Arguments[2]).Scalar switch
                    {
                        TimestampScalar t => t.Nanos,
                        string s when TimeText.TryParseTimestamp(s, out var o) => o,
                        _ => throw text.Error(call.Arguments[2].Span, $"the origin of {name} must be a timestamp"),
                    };
                }
                return Value.Of(Bin(Eval(call.Arguments[1]), call.Arguments[1], stride, origin));
            }
            case "date_trunc":
            {
                Arity(call, 2);
                var unit = Eval(call.Arguments[0]).Scalar as string;
                var stride = unit is null ? null : TimeText.UnitNanos(unit);
                if (stride is null || unit is "week" or "weeks")
                {
                    throw text.Error(call.Arguments[0].Span, $"unsupported date_trunc unit '{unit}'");
                }
                return Value.Of(Bin(Eval(call.Arguments[1]), call.Arguments[1], stride.Value, 0));
            }
            default:
                return Scalar(call);
        }
    }

    private void Arity(FunctionCall call, int n)
    {
        if (call.Arguments.Count != n || call.Star)
        {
            throw text.Error(call.Span, $"{call.Name.Value} takes {n} argument{(n == 1 ? "" : "s")}");
        }
    }

    private ArrowArray Bin(Value v, Expression at, long stride, long origin)
    {
        var array = Materialize(v);
        if (array.Type.Id != ArrowTypeId.Timestamp)
        {
            throw text.Error(at.Span, $"expected a timestamp, found {TypeName(array.Type)}");
        }
        // Straight from the column's buffer into the result's: one pass, no intermediate copies.
        var input = array.Data.GetValues<long>();
        var bytes = GC.AllocateUninitializedArray<byte>(input.Length * sizeof(long));
        var output = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes.AsSpan());
        var previous = 0L;
        var previousBin = 0L;
        for (var i = 0; i < input.Length; i++)
        {
            var t = input[i];
            if (i == 0 || t != previous)
            {
                // Floor division (times before the origin round down); runs of equal times reuse the last bin.
                var d = t - origin;
                var q = d / stride;
                if (d - (q * stride) < 0)
                {
                    q--;
                }
                previous = t;
                previousBin = origin + (q * stride);
            }
            output[i] = previousBin;
        }
        var validity = array.NullCount == 0 ? ReadOnlyMemory<byte>.Empty : CopyValidity(array);
        return ArrowArray.Create(new ArrayData(ArrowType.TimestampNanosecond, input.Length, array.NullCount, [validity, bytes]));
    }

    private static byte[] CopyValidity(ArrowArray array)
    {
        var bits = new byte[(array.Length + 7) / 8];
        for (var i = 0; i < array.Length; i++)
        {
            if (!array.IsNull(i))
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        return bits;
    }
}
