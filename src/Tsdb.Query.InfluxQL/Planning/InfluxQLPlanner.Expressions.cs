using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Functions;
using Tsdb.Query.InfluxQL.Ast;
using QBinaryExpr = Tsdb.Query.Expressions.BinaryExpr;
using QBinaryOp = Tsdb.Query.Expressions.BinaryOp;

namespace Tsdb.Query.InfluxQL.Planning;

internal sealed partial class InfluxQLPlanner
{
    /// <summary>InfluxQL's row-level math functions and the engine's function each becomes.</summary>
    private static readonly Dictionary<string, string> MathFunctions = new(StringComparer.Ordinal)
    {
        ["abs"] = "abs", ["acos"] = "acos", ["asin"] = "asin", ["atan"] = "atan", ["atan2"] = "atan2", ["ceil"] = "ceil",
        ["cos"] = "cos", ["exp"] = "exp", ["floor"] = "floor", ["ln"] = "ln", ["log"] = "log", ["log2"] = "log2",
        ["log10"] = "log10", ["pow"] = "pow", ["round"] = "round", ["sin"] = "sin", ["sqrt"] = "sqrt", ["tan"] = "tan",
    };

    private static LiteralExpr Null => new(null, ArrowType.Null);

    /// <summary>
    /// An expression over one relation's rows. In a WHERE clause (<paramref name="condition"/>) a tag a row lacks reads
    /// as the empty string, as 1.x compares it; in a field list it is null. A name the relation lacks is null.
    /// </summary>
    private Expr Bind(InfluxQLExpr e, Relation r, bool condition, Func<Call, Expr>? calls = null)
    {
        switch (e)
        {
            case ParenExpr p:
                return Bind(p.Inner, r, condition, calls);
            case VarRef v:
                return Reference(v, r);
            case IntegerLiteral i:
                return new LiteralExpr(i.Value, ArrowType.Int64);
            case UnsignedLiteral u:
                return new LiteralExpr((double)u.Value, ArrowType.Float64);
            case NumberLiteral n:
                return new LiteralExpr(n.Value, ArrowType.Float64);
            case StringLiteral s:
                return new LiteralExpr(s.Value, ArrowType.Utf8);
            case BooleanLiteral b:
                return new LiteralExpr(b.Value, ArrowType.Boolean);
            case DurationLiteral d:
                return new LiteralExpr(d.Nanoseconds, ArrowType.Int64);
            case BoundParameter p:
                return Parameter(p) is { } value ? Bind(value, r, condition, calls) : Null;
            case UnaryMinusExpr u:
            {
                var operand = Bind(u.Operand, r, condition, calls);
                RequireNumber(operand, u.Operand);
                return new NegateExpr(operand);
            }
            case Ast.BinaryExpr b:
                return BindBinary(b, r, condition, calls);
            case Call c when calls is not null && !MathFunctions.ContainsKey(c.Name):
                return calls(c);
            case Call c:
                return BindMath(c, r, condition, calls);
            case RegexLiteral:
                throw Error("a regular expression is only allowed after =~ or !~, in FROM and in GROUP BY");
            case Wildcard:
                throw Error("* is only allowed in the field list and as a function's argument");
            default:
                throw Error($"unsupported expression: {e}");
        }
    }

    private static Expr Reference(VarRef v, Relation r)
    {
        if (v.Name == "time" && v.Type == VarRefType.Unknown)
        {
            return r.Column(r.Time);
        }
        var asTag = v.Type == VarRefType.Tag;
        var asField = v.Type is not (VarRefType.Unknown or VarRefType.Tag);
        if (!asTag && r.Fields.TryGetValue(v.Name, out var f))
        {
            var column = r.Column(f);
            return v.Type switch
            {
                // A cast to another kind of field picks nothing (1.x: the field is not of that type).
                VarRefType.Float when column.Type.Id != ArrowTypeId.Float64 => column.Type.IsInteger ? new CastExpr(column, ArrowType.Float64) : Null,
                VarRefType.Integer when column.Type.Id != ArrowTypeId.Int64 => column.Type.Id == ArrowTypeId.Float64 ? new CastExpr(column, ArrowType.Int64) : Null,
                VarRefType.Unsigned when column.Type.Id != ArrowTypeId.UInt64 => Null,
                VarRefType.String when !Kernels.IsString(column.Type) => Null,
                VarRefType.Boolean when column.Type.Id != ArrowTypeId.Boolean => Null,
                _ => column,
            };
        }
        if (!asField && r.Tags.TryGetValue(v.Name, out var t))
        {
            return r.Column(t);
        }
        return Null;
    }

    private static bool IsTagColumn(Expr e) => e is ColumnExpr c && c.Type.Id == ArrowTypeId.Dictionary;

    /// <summary>A tag as 1.x compares it: the empty string where a row lacks it.</summary>
    private static ScalarFunctionExpr TagOrEmpty(Expr e) => Call("coalesce", [new CastExpr(e, ArrowType.Utf8), new LiteralExpr("", ArrowType.Utf8)]);

    private static ScalarFunctionExpr Call(string name, Expr[] args)
    {
        if (!ScalarFunctions.TryGet(name, out var function))
        {
            throw new InvalidOperationException($"the scalar function '{name}' is not registered");
        }
        ArrowType type;
        try
        {
            type = function.ReturnType([.. args.Select(a => a.Type)]);
        }
        catch (FunctionException ex)
        {
            throw Error($"{name}: {ex.Message}");
        }
        return new ScalarFunctionExpr(function, args, type);
    }

    private Expr BindMath(Call c, Relation r, bool condition, Func<Call, Expr>? calls)
    {
        if (c.Name == "now" && c.Args.Count == 0)
        {
            return new LiteralExpr(new TimestampScalar(now), ArrowType.TimestampNanosecond);
        }
        if (!MathFunctions.TryGetValue(c.Name, out var name))
        {
            throw Error(IsAggregateName(c.Name) || IsSelectorName(c.Name) || IsTransformName(c.Name)
                ? $"{c.Name}() is not allowed here"
                : $"undefined function {c.Name}()");
        }
        var arity = c.Name switch { "atan2" or "pow" => 2, "log" => 2, "round" => 1, _ => 1 };
        if (c.Args.Count != arity)
        {
            throw Error($"invalid number of arguments for {c.Name}, expected {arity}, got {c.Args.Count}");
        }
        var args = c.Args.Select(a => Bind(a, r, condition, calls)).ToArray();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].Type.Id == ArrowTypeId.Null)
            {
                return new LiteralExpr(null, ArrowType.Float64);
            }
            RequireNumber(args[i], c.Args[i]);
        }
        // InfluxQL's log(x, base) is the engine's log(base, x).
        if (c.Name == "log")
        {
            args = [args[1], args[0]];
        }
        return Call(name, args);
    }

    private static void RequireNumber(Expr e, InfluxQLExpr at)
    {
        if (!Kernels.IsNumeric(e.Type) && e.Type.Id != ArrowTypeId.Null)
        {
            throw Error($"expected a number, found {TypeName(e.Type)} in {at}");
        }
    }

    internal static string TypeName(ArrowType t) => t.Id switch
    {
        ArrowTypeId.Float64 => "float",
        ArrowTypeId.Int64 => "integer",
        ArrowTypeId.UInt64 => "unsigned",
        ArrowTypeId.Boolean => "boolean",
        ArrowTypeId.Timestamp => "time",
        _ when Kernels.IsString(t) => "string",
        _ => t.ToString(),
    };

    private Expr BindBinary(Ast.BinaryExpr b, Relation r, bool condition, Func<Call, Expr>? calls)
    {
        switch (b.Op)
        {
            case BinaryOperator.And or BinaryOperator.Or:
            {
                // Chains can be long (a Grafana variable with many values): bound term by term, combined as a balanced tree.
                var terms = Flatten(b, b.Op).Select(t => AsCondition(Bind(t, r, condition, calls))).ToArray();
                return Balanced(terms, 0, terms.Length, b.Op == BinaryOperator.And ? QBinaryOp.And : QBinaryOp.Or);
            }
            case BinaryOperator.RegexMatch or BinaryOperator.RegexNotMatch:
            {
                if (b.Right is not RegexLiteral re)
                {
                    throw Error($"expected a regular expression after {(b.Op == BinaryOperator.RegexMatch ? "=~" : "!~")}, found {b.Right}");
                }
                var negated = b.Op == BinaryOperator.RegexNotMatch;
                var regex = Regex(re.Pattern);
                var left = Bind(b.Left, r, condition, calls);
                if (left.Type.Id == ArrowTypeId.Null)
                {
                    // A tag the measurement lacks is the empty string.
                    return new LiteralExpr(regex.IsMatch("") != negated, ArrowType.Boolean);
                }
                if (!Kernels.IsString(left.Type))
                {
                    return new LiteralExpr(false, ArrowType.Boolean);
                }
                if (IsTagColumn(left))
                {
                    left = TagOrEmpty(left);
                }
                return new StringMatchExpr(left, regex, negated, $"{(negated ? "!~" : "=~")} /{re.Pattern}/");
            }
            case BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual:
                return BindComparison(b, r, condition, calls);
            case BinaryOperator.BitwiseAnd or BinaryOperator.BitwiseOr or BinaryOperator.BitwiseXor:
            {
                var l = Bind(b.Left, r, condition, calls);
                var rr = Bind(b.Right, r, condition, calls);
                if (l.Type.Id == ArrowTypeId.Null || rr.Type.Id == ArrowTypeId.Null)
                {
                    return new LiteralExpr(null, ArrowType.Int64);
                }
                if (!l.Type.IsInteger || !rr.Type.IsInteger)
                {
                    throw Error($"the bitwise operator in {b} needs integers, found {TypeName(l.Type)} and {TypeName(rr.Type)}");
                }
                return Call(b.Op switch { BinaryOperator.BitwiseAnd => "bit_and", BinaryOperator.BitwiseOr => "bit_or", _ => "bit_xor" }, [l, rr]);
            }
            default:
                return Arithmetic(b, Bind(b.Left, r, condition, calls), Bind(b.Right, r, condition, calls));
        }
    }

    private static Expr Balanced(Expr[] terms, int from, int to, QBinaryOp op)
    {
        if (to - from == 1)
        {
            return terms[from];
        }
        var mid = (from + to) / 2;
        return new QBinaryExpr(op, Balanced(terms, from, mid, op), Balanced(terms, mid, to, op), ArrowType.Boolean);
    }

    private static Expr AsCondition(Expr e) => e.Type.Id switch
    {
        ArrowTypeId.Boolean => e,
        ArrowTypeId.Null => new LiteralExpr(false, ArrowType.Boolean),
        _ => throw Error($"expected a condition, found {TypeName(e.Type)} {e}"),
    };

    private Expr BindComparison(Ast.BinaryExpr b, Relation r, bool condition, Func<Call, Expr>? calls)
    {
        var op = b.Op switch
        {
            BinaryOperator.Equal => QBinaryOp.Equal,
            BinaryOperator.NotEqual => QBinaryOp.NotEqual,
            BinaryOperator.Less => QBinaryOp.Less,
            BinaryOperator.LessOrEqual => QBinaryOp.LessOrEqual,
            BinaryOperator.Greater => QBinaryOp.Greater,
            _ => QBinaryOp.GreaterOrEqual,
        };
        var left = Bind(b.Left, r, condition, calls);
        var right = Bind(b.Right, r, condition, calls);
        // A tag the measurement lacks compares as the empty string; any other missing name matches nothing.
        if (left.Type.Id == ArrowTypeId.Null || right.Type.Id == ArrowTypeId.Null)
        {
            var missing = left.Type.Id == ArrowTypeId.Null ? b.Left : b.Right;
            var other = left.Type.Id == ArrowTypeId.Null ? right : left;
            if (condition && missing is VarRef && other is LiteralExpr { Value: string s } && op is QBinaryOp.Equal or QBinaryOp.NotEqual)
            {
                return new LiteralExpr((s.Length == 0) == (op == QBinaryOp.Equal), ArrowType.Boolean);
            }
            if (condition && missing is VarRef && Kernels.IsString(other.Type) && op is QBinaryOp.Equal or QBinaryOp.NotEqual)
            {
                var side = IsTagColumn(other) ? TagOrEmpty(other) : other;
                return new QBinaryExpr(op, side, new LiteralExpr("", ArrowType.Utf8), ArrowType.Boolean);
            }
            return new LiteralExpr(false, ArrowType.Boolean);
        }
        var leftString = Kernels.IsString(left.Type);
        var rightString = Kernels.IsString(right.Type);
        if (leftString && rightString)
        {
            // tag = 'v' stays a plain comparison (storage prunes on it); other comparisons see a missing tag as ''.
            var keepPlain = op == QBinaryOp.Equal && (left is LiteralExpr { Value: string { Length: > 0 } } || right is LiteralExpr { Value: string { Length: > 0 } });
            if (!keepPlain)
            {
                left = IsTagColumn(left) ? TagOrEmpty(left) : left;
                right = IsTagColumn(right) ? TagOrEmpty(right) : right;
            }
            return new QBinaryExpr(op, left, right, ArrowType.Boolean);
        }
        var numeric = Kernels.IsNumeric(left.Type) && Kernels.IsNumeric(right.Type);
        var booleans = left.Type.Id == ArrowTypeId.Boolean && right.Type.Id == ArrowTypeId.Boolean;
        var times = left.Type.Id == ArrowTypeId.Timestamp && right.Type.Id == ArrowTypeId.Timestamp;
        if (!numeric && !booleans && !times)
        {
            // 1.x compares values of different types as never matching.
            return new LiteralExpr(false, ArrowType.Boolean);
        }
        if (numeric && left.Type.Id != right.Type.Id)
        {
            left = left.Type.Id == ArrowTypeId.Float64 ? left : new CastExpr(left, ArrowType.Float64);
            right = right.Type.Id == ArrowTypeId.Float64 ? right : new CastExpr(right, ArrowType.Float64);
        }
        return new QBinaryExpr(op, left, right, ArrowType.Boolean);
    }

    private static Expr Arithmetic(Ast.BinaryExpr b, Expr left, Expr right)
    {
        var op = b.Op switch
        {
            BinaryOperator.Add => QBinaryOp.Add,
            BinaryOperator.Subtract => QBinaryOp.Subtract,
            BinaryOperator.Multiply => QBinaryOp.Multiply,
            BinaryOperator.Divide => QBinaryOp.Divide,
            _ => QBinaryOp.Modulo,
        };
        if (left.Type.Id == ArrowTypeId.Null || right.Type.Id == ArrowTypeId.Null)
        {
            return new LiteralExpr(null, ArrowType.Float64);
        }
        if (Kernels.IsString(left.Type) && Kernels.IsString(right.Type) && op == QBinaryOp.Add)
        {
            return new QBinaryExpr(QBinaryOp.Concat, left, right, ArrowType.Utf8);
        }
        RequireNumber(left, b.Left);
        RequireNumber(right, b.Right);
        // InfluxQL divides as floats (1.x: 5 / 2 is 2.5), and mixes integers and floats as floats.
        if (op == QBinaryOp.Divide || left.Type.Id != right.Type.Id)
        {
            left = left.Type.Id == ArrowTypeId.Float64 ? left : new CastExpr(left, ArrowType.Float64);
            right = right.Type.Id == ArrowTypeId.Float64 ? right : new CastExpr(right, ArrowType.Float64);
        }
        var result = new QBinaryExpr(op, left, right, left.Type);
        if (op is QBinaryOp.Divide or QBinaryOp.Modulo)
        {
            // 1.x answers 0 for a division or remainder by zero.
            var zero = new LiteralExpr(left.Type.Id == ArrowTypeId.Float64 ? 0.0 : 0L, left.Type);
            return new CaseExpr([(new QBinaryExpr(QBinaryOp.Equal, right, zero, ArrowType.Boolean), zero)], result, left.Type);
        }
        return result;
    }
}
