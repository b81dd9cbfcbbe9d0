using System.Text.RegularExpressions;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Sql;

/// <summary>Binding: an AST expression to a typed <see cref="Expr"/> over a scope, type errors at the expression's position.</summary>
internal sealed partial class SqlPlanner
{
    /// <summary>How names resolve while binding one expression.</summary>
    internal sealed class Binding(BindScope scope)
    {
        public BindScope Scope { get; } = scope;

        /// <summary>After aggregation: group keys and aggregate calls become columns of the aggregate's output.</summary>
        public Func<Expression, Expr?>? Replace { get; init; }

        /// <summary>Where bare columns are refused (after aggregation), with the message to give.</summary>
        public bool ColumnsMustBeGrouped { get; init; }

        /// <summary>What aggregate calls may not appear here ("WHERE"), or null when they are resolved by <see cref="Replace"/>.</summary>
        public string? AggregatesNotAllowedIn { get; init; }

        /// <summary>Receives a scalar subquery's plan and returns the column that carries its value (null: not supported here).</summary>
        public Func<ScalarSubquery, Expr>? ScalarSubquery { get; init; }

        /// <summary>The gap filling of the aggregate query being bound (date_bin_gapfill, locf, interpolate), if any.</summary>
        public GapFillQuery? GapFill { get; init; }
    }

    public Expr Bind(Expression e, Binding binding)
    {
        // Chains of AND or OR are bound as balanced trees: a Grafana multi-value variable expands to thousands of terms.
        if (e is BinaryExpression { Operator: BinaryOperator.And or BinaryOperator.Or } chain && binding.Replace?.Invoke(e) is null)
        {
            var terms = new List<Expression>();
            Flatten(chain, chain.Operator, terms);
            var bound = new Expr[terms.Count];
            for (var i = 0; i < bound.Length; i++)
            {
                bound[i] = Bind(terms[i], binding);
                RequireBoolean(bound[i], terms[i], chain.Operator == BinaryOperator.And ? "AND" : "OR");
            }
            return Fold(Balanced(bound, 0, bound.Length, chain.Operator == BinaryOperator.And ? BinaryOp.And : BinaryOp.Or, chain), chain);
        }
        if (binding.Replace?.Invoke(e) is { } replaced)
        {
            return replaced;
        }
        var result = BindNode(e, binding);
        return Fold(result, e);
    }

    private static void Flatten(Expression e, BinaryOperator op, List<Expression> terms)
    {
        var stack = new Stack<Expression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is BinaryExpression b && b.Operator == op)
            {
                stack.Push(b.Right);
                stack.Push(b.Left);
            }
            else
            {
                terms.Add(next);
            }
        }
    }

    private Expr Balanced(Expr[] terms, int from, int to, BinaryOp op, Expression at)
    {
        if (to - from == 1)
        {
            return terms[from];
        }
        var mid = from + ((to - from) / 2);
        return new BinaryExpr(op, Balanced(terms, from, mid, op, at), Balanced(terms, mid, to, op, at), ArrowType.Boolean) { Location = Locate(at.Span) };
    }

    /// <summary>Constant folding: an expression of constants becomes its value (errors such as 1/0 surface here, positioned).</summary>
    private Expr Fold(Expr e, Expression at)
    {
        if (e is LiteralExpr || !e.IsConstant)
        {
            return e;
        }
        var value = e.Evaluate(OneRow, _eval);
        if (!value.IsScalar)
        {
            if (value.Array!.Length != 1)
            {
                return e;
            }
            return new LiteralExpr(CastExpr.ScalarAt(value.Array, 0)) { Location = Locate(at.Span) }.WithType(e.Type);
        }
        return new LiteralExpr(value.Scalar) { Location = Locate(at.Span) }.WithType(e.Type);
    }

    private static readonly RecordBatch OneRow = new(new Schema([]), [], 1);

    private Expr BindNode(Expression e, Binding binding)
    {
        switch (e)
        {
            case ColumnReference c:
                return BindColumn(c, binding);
            case IntegerLiteral i:
                return Literal(i.Value, e);
            case FloatLiteral f:
                return Literal(f.Value, e);
            case StringLiteral s:
                return Literal(s.Value, e);
            case BooleanLiteral b:
                return Literal(b.Value, e);
            case NullLiteral:
                return Literal(null, e);
            case ParameterExpression p:
                return Literal(Parameter(p), e);
            case IntervalLiteral iv:
                return TimeText.TryParseInterval(iv.Value, out var ns)
                    ? Literal(new IntervalScalar(ns), e)
                    : throw Error(iv.Span, $"unsupported interval '{iv.Value}'");
            case CastExpression { Type: SqlType.Timestamp, Operand: StringLiteral s } cast:
                return TimeText.TryParseTimestamp(s.Value, out var t)
                    ? Literal(new TimestampScalar(t), e)
                    : throw Error(cast.Span, $"invalid timestamp '{s.Value}'");
            case CastExpression cast:
            {
                var operand = Bind(cast.Operand, binding);
                var target = cast.Type switch
                {
                    SqlType.BigInt => ArrowType.Int64,
                    SqlType.Double => ArrowType.Float64,
                    SqlType.Varchar => ArrowType.Utf8,
                    SqlType.Boolean => ArrowType.Boolean,
                    _ => ArrowType.TimestampNanosecond,
                };
                if (!CastExpr.CanCast(operand.Type, target))
                {
                    throw Error(cast.Span, $"cannot cast {Kernels.TypeName(operand.Type)} to {SqlPrinter.Print(cast).Split(" AS ").LastOrDefault()?.TrimEnd(')') ?? cast.Type.ToString()}");
                }
                return new CastExpr(operand, target) { Location = Locate(cast.Span) };
            }
            case CaseExpression ce:
                return BindCase(ce, binding);
            case UnaryExpression u:
            {
                var operand = Bind(u.Operand, binding);
                switch (u.Operator)
                {
                    case UnaryOperator.Plus:
                        return operand;
                    case UnaryOperator.Not:
                        RequireBoolean(operand, u.Operand, "NOT");
                        return new NotExpr(operand) { Location = Locate(u.Span) };
                    default:
                        if (!Kernels.IsNumeric(operand.Type) && operand.Type.Id != ArrowTypeId.Null && !(operand is LiteralExpr { Value: IntervalScalar }))
                        {
                            throw Error(u.Span, $"cannot negate {Describe(operand.Type)}");
                        }
                        return new NegateExpr(operand) { Location = Locate(u.Span) };
                }
            }
            case BinaryExpression b:
                return BindBinary(b, binding);
            case IsNullExpression n:
                return new IsNullExpr(Bind(n.Operand, binding), n.Negated) { Location = Locate(n.Span) };
            case InListExpression inList:
            {
                var operand = Bind(inList.Operand, binding);
                var values = new List<Expr>(inList.Values.Count);
                foreach (var v in inList.Values)
                {
                    var (l, r) = Comparable(operand, Bind(v, binding), inList.Operand, v, inList);
                    operand = l;
                    values.Add(r);
                }
                return new InListExpr(operand, values, inList.Negated) { Location = Locate(inList.Span) };
            }
            case BetweenExpression between:
            {
                var operand = Bind(between.Operand, binding);
                var (l1, low) = Comparable(operand, Bind(between.Low, binding), between.Operand, between.Low, between);
                var (l2, high) = Comparable(operand, Bind(between.High, binding), between.Operand, between.High, between);
                Expr range = new BinaryExpr(BinaryOp.And,
                    new BinaryExpr(BinaryOp.GreaterOrEqual, l1, low, ArrowType.Boolean) { Location = Locate(between.Span) },
                    new BinaryExpr(BinaryOp.LessOrEqual, l2, high, ArrowType.Boolean) { Location = Locate(between.Span) },
                    ArrowType.Boolean) { Location = Locate(between.Span) };
                return between.Negated ? new NotExpr(range) { Location = Locate(between.Span) } : range;
            }
            case LikeExpression like:
            {
                var operand = Bind(like.Operand, binding);
                RequireString(operand, like.Operand);
                var pattern = ConstantString(Bind(like.Pattern, binding), like.Pattern, "the LIKE pattern must be a string literal");
                var regex = Kernels.LikeRegex(pattern, like.CaseInsensitive);
                var display = $"{(like.Negated ? "NOT " : "")}{(like.CaseInsensitive ? "ILIKE" : "LIKE")} {LiteralExpr.Format(pattern)}";
                return new StringMatchExpr(operand, regex, like.Negated, display) { Location = Locate(like.Span) };
            }
            case FunctionCall call when IsGapFillFunction(call):
                return BindGapFillFunction(call, binding);
            case FunctionCall call:
                return BindFunction(call, binding);
            case ExtractExpression ex:
                return BindExtract(ex, binding);
            case AtTimeZoneExpression at:
                return BindAtTimeZone(at, binding);
            case FieldAccessExpression fa:
                throw Error(fa.Span, $"['{fa.Field}'] is only defined on the selector functions (selector_first, selector_last, selector_min, selector_max)");
            case ScalarSubquery sq when binding.ScalarSubquery is { } subquery:
                return subquery(sq);
            case ScalarSubquery sq:
                throw Error(sq.Span, "a scalar subquery is not supported here");
            case ExistsExpression ex when binding.ScalarSubquery is not null:
                return Bind(ExistsAsValue(ex), binding);
            case ExistsExpression ex:
                throw Error(ex.Span, "EXISTS is only supported as a term of WHERE (… AND [NOT] EXISTS (…)) or a value of the select list");
            case InSubqueryExpression ins when binding.ScalarSubquery is not null:
                return Bind(InSubqueryAsValue(ins, binding.Scope), binding);
            case InSubqueryExpression ins:
                throw Error(ins.Span, "IN (subquery) is only supported as a term of WHERE (… AND x [NOT] IN (SELECT …))");
            default:
                throw Error(e.Span, $"{e.GetType().Name.Replace("Expression", "", StringComparison.Ordinal)} is not supported yet");
        }
    }

    private LiteralExpr Literal(object? value, Expression at) => new(value) { Location = Locate(at.Span) };

    private ColumnExpr BindColumn(ColumnReference c, Binding binding)
    {
        var parts = c.Parts.Select(p => p.Value).ToArray();
        var index = binding.Scope.Find(parts);
        if (index == -2)
        {
            throw Error(c.Span, $"column '{parts[^1]}' is ambiguous: qualify it with its table (t.{parts[^1]})");
        }
        if (index < 0)
        {
            throw Error(c.Span, $"unknown column '{(parts.Length > 1 ? parts[^2] + "." : "")}{parts[^1]}'");
        }
        if (binding.ColumnsMustBeGrouped)
        {
            throw Error(c.Span, $"column '{parts[^1]}' must appear in the GROUP BY clause or be used in an aggregate function");
        }
        var column = binding.Scope.Column(index);
        return new ColumnExpr(column.Index, column.Name, column.Type) { Location = Locate(c.Span) };
    }

    private Expr BindBinary(BinaryExpression b, Binding binding)
    {
        var left = Bind(b.Left, binding);
        switch (b.Operator)
        {
            case BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual:
            {
                var (l, r) = Comparable(left, Bind(b.Right, binding), b.Left, b.Right, b);
                var op = b.Operator switch
                {
                    BinaryOperator.Equal => BinaryOp.Equal,
                    BinaryOperator.NotEqual => BinaryOp.NotEqual,
                    BinaryOperator.Less => BinaryOp.Less,
                    BinaryOperator.LessOrEqual => BinaryOp.LessOrEqual,
                    BinaryOperator.Greater => BinaryOp.Greater,
                    _ => BinaryOp.GreaterOrEqual,
                };
                return new BinaryExpr(op, l, r, ArrowType.Boolean) { Location = Locate(b.Span) };
            }
            case BinaryOperator.RegexMatch or BinaryOperator.RegexNotMatch or BinaryOperator.RegexIMatch or BinaryOperator.RegexNotIMatch:
            {
                RequireString(left, b.Left);
                var pattern = ConstantString(Bind(b.Right, binding), b.Right, "the regular expression must be a string literal");
                var ignoreCase = b.Operator is BinaryOperator.RegexIMatch or BinaryOperator.RegexNotIMatch;
                Regex regex;
                try
                {
                    regex = new Regex(pattern, (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw Error(b.Right.Span, $"invalid regular expression: {ex.Message}");
                }
                var negated = b.Operator is BinaryOperator.RegexNotMatch or BinaryOperator.RegexNotIMatch;
                var symbol = b.Operator switch { BinaryOperator.RegexMatch => "~", BinaryOperator.RegexNotMatch => "!~", BinaryOperator.RegexIMatch => "~*", _ => "!~*" };
                return new StringMatchExpr(left, regex, negated, $"{symbol} {LiteralExpr.Format(pattern)}") { Location = Locate(b.Span) };
            }
            case BinaryOperator.Concat:
                return new BinaryExpr(BinaryOp.Concat, left, Bind(b.Right, binding), ArrowType.Utf8) { Location = Locate(b.Span) };
            default:
                return Arithmetic(b, left, Bind(b.Right, binding));
        }
    }

    private BinaryExpr Arithmetic(BinaryExpression b, Expr left, Expr right)
    {
        var op = b.Operator switch
        {
            BinaryOperator.Add => BinaryOp.Add,
            BinaryOperator.Subtract => BinaryOp.Subtract,
            BinaryOperator.Multiply => BinaryOp.Multiply,
            BinaryOperator.Divide => BinaryOp.Divide,
            _ => BinaryOp.Modulo,
        };
        var leftInterval = left is LiteralExpr { Value: IntervalScalar };
        var rightInterval = right is LiteralExpr { Value: IntervalScalar };
        foreach (var (side, at, interval) in new[] { (left, b.Left, leftInterval), (right, b.Right, rightInterval) })
        {
            if (!interval && !Kernels.IsNumeric(side.Type) && side.Type.Id is not (ArrowTypeId.Timestamp or ArrowTypeId.Null))
            {
                throw Error(at.Span, $"expected a number, found {Describe(side.Type)}");
            }
        }
        ArrowType type;
        var leftTime = left.Type.Id == ArrowTypeId.Timestamp;
        var rightTime = right.Type.Id == ArrowTypeId.Timestamp;
        if (leftTime || rightTime)
        {
            if (op is not (BinaryOp.Add or BinaryOp.Subtract))
            {
                throw Error(b.Span, "only + and - are defined for timestamps");
            }
            if (leftTime && rightTime)
            {
                if (op == BinaryOp.Add)
                {
                    throw Error(b.Span, "two timestamps cannot be added");
                }
                type = ArrowType.Int64;
            }
            else
            {
                var other = leftTime ? right : left;
                if (other.Type.Id != ArrowTypeId.Null && !(other is LiteralExpr { Value: IntervalScalar }) && !(leftTime && other.Type.IsInteger && !other.IsConstant))
                {
                    throw Error((leftTime ? b.Right : b.Left).Span, "a timestamp can only be shifted by an INTERVAL");
                }
                if (rightTime && op == BinaryOp.Subtract)
                {
                    throw Error(b.Span, "an interval minus a timestamp is not defined");
                }
                type = ArrowType.TimestampNanosecond;
            }
        }
        else if (leftInterval || rightInterval)
        {
            type = ArrowType.Int64;
        }
        else if (left.Type.Id == ArrowTypeId.Null || right.Type.Id == ArrowTypeId.Null)
        {
            type = left.Type.Id == ArrowTypeId.Null ? right.Type : left.Type;
        }
        else
        {
            // The kernels decide the result type of mixed numbers; asking them on no rows keeps binder and kernels in step.
            var probe = op switch
            {
                BinaryOp.Add => Tsdb.Arrow.Compute.Arithmetic.Add(Columns.NullOf(left.Type, 0), Columns.NullOf(right.Type, 0)),
                BinaryOp.Subtract => Tsdb.Arrow.Compute.Arithmetic.Subtract(Columns.NullOf(left.Type, 0), Columns.NullOf(right.Type, 0)),
                BinaryOp.Multiply => Tsdb.Arrow.Compute.Arithmetic.Multiply(Columns.NullOf(left.Type, 0), Columns.NullOf(right.Type, 0)),
                BinaryOp.Divide => Tsdb.Arrow.Compute.Arithmetic.Divide(Columns.NullOf(left.Type, 0), Columns.NullOf(right.Type, 0)),
                _ => Tsdb.Arrow.Compute.Arithmetic.Modulo(Columns.NullOf(left.Type, 0), Columns.NullOf(right.Type, 0)),
            };
            type = probe.Type;
        }
        return new BinaryExpr(op, left, right, type) { Location = Locate(b.Span) };
    }

    /// <summary>
    /// <c>x [NOT] IN (SELECT c …)</c> as a value (in the select list, under OR): rewritten into scalar subqueries the
    /// planner decorrelates, with SQL's three-valued answer — true when some c equals x; false when the set is empty,
    /// else NULL when x is NULL or the set holds a NULL; false otherwise:
    /// <c>CASE WHEN (SELECT count(*) FROM set WHERE v = x) &gt; 0 THEN TRUE WHEN (SELECT count(*) FROM set) = 0 THEN FALSE
    /// WHEN x IS NULL OR (SELECT count(*) FROM set) &gt; (SELECT count(v) FROM set) THEN NULL ELSE FALSE END</c>, where
    /// set is the subquery with its column renamed (so that x cannot name it).
    /// </summary>
    private Expression InSubqueryAsValue(InSubqueryExpression ins, BindScope outer)
    {
        var span = ins.Span;
        Identifier Name(string name) => new(name, true, span);
        FunctionCall CountOf(Expression? argument) => new(Name("count"), argument is null ? [] : [argument], false, argument is null, [], span);
        Func<Expression?, Expression?, ScalarSubquery> Count;
        Func<Expression> Value;
        if (ins.Query is SelectStatement { From: not null, With.Count: 0, Where: not null } correlated && Correlated(correlated, outer))
        {
            // Correlated: the counts over the subquery's own rows, each decorrelated (its column cannot be renamed
            // through a derived table, whose FROM may not read the outer query).
            var item = CorrelatedInItem(ins, correlated);
            Value = () => item.Expression;
            Count = (argument, where) => new(correlated with
            {
                Projection = [new ExpressionSelectItem(CountOf(argument), null, span)],
                Where = where is null ? correlated.Where : new BinaryExpression(BinaryOperator.And, correlated.Where!, where, span),
                OrderBy = [],
                Distinct = false,
            }, span);
        }
        else
        {
            var sub = PlanQuery(ins.Query).Plan;
            if (sub.Schema.FieldCount != 1)
            {
                throw Error(ins.Query.Span, $"the subquery of IN must return one column, this one returns {sub.Schema.FieldCount}");
            }
            var renamed = new SelectStatement([], false, null,
                [new ExpressionSelectItem(new ColumnReference([Name(sub.Schema[0].Name)], span), Name("__in_value"), span)],
                new SubqueryTableSource(ins.Query, Name("__in_source"), span), null, [], null, [], null, null, span);
            Value = () => new ColumnReference([Name("__in_set"), Name("__in_value")], span);
            Count = (argument, where) => new(new SelectStatement([], false, null,
                [new ExpressionSelectItem(CountOf(argument), null, span)],
                new SubqueryTableSource(renamed, Name("__in_set"), span), where, [], null, [], null, null, span), span);
        }
        var matches = Count(null, new BinaryExpression(BinaryOperator.Equal, Value(), ins.Operand, span));
        var unknown = new BinaryExpression(BinaryOperator.Or,
            new IsNullExpression(ins.Operand, false, span),
            new BinaryExpression(BinaryOperator.Greater, Count(null, null), Count(Value(), null), span), span);
        var value = new CaseExpression(null,
        [
            new WhenClause(new BinaryExpression(BinaryOperator.Greater, matches, new IntegerLiteral(0, span), span), new BooleanLiteral(true, span), span),
            new WhenClause(new BinaryExpression(BinaryOperator.Equal, Count(null, null), new IntegerLiteral(0, span), span), new BooleanLiteral(false, span), span),
            new WhenClause(unknown, new CastExpression(new NullLiteral(span), SqlType.Boolean, CastSyntax.Function, span), span),
        ], new BooleanLiteral(false, span), span);
        return ins.Negated ? new UnaryExpression(UnaryOperator.Not, value, span) : value;
    }

    /// <summary>
    /// <c>EXISTS (SELECT … FROM … WHERE …)</c> as a value (select list, under OR): <c>(SELECT count(*) FROM … WHERE …) &gt; 0</c>,
    /// a scalar subquery the planner decorrelates. EXISTS is never NULL, and the count of no rows is 0, so the rewrite
    /// is exact. A subquery that groups, aggregates or limits is the test <see cref="ExistsTest"/> makes of it (which
    /// is decorrelated too); one with an OFFSET, a WITH or a UNION counts its rows as a derived table (uncorrelated only).
    /// </summary>
    private Expression ExistsAsValue(ExistsExpression ex)
    {
        var span = ex.Span;
        var count = new FunctionCall(new Identifier("count", false, span), [], false, true, [], span);
        SelectStatement counting;
        if (ex.Query is SelectStatement { From: not null, With.Count: 0, GroupBy.Count: 0, Having: null, Limit: null, Offset: null, Distinct: false, DistinctOn: null } simple
            && !simple.Projection.Any(p => p is ExpressionSelectItem { Expression: var pe } && HoldsAggregate(pe)))
        {
            counting = simple with { Projection = [new ExpressionSelectItem(count, null, span)], OrderBy = [] };
        }
        else if (ex.Query is SelectStatement { From: not null, With.Count: 0, Offset: null or IntegerLiteral { Value: 0 } } sub)
        {
            return ExistsTest(ex, sub) is ExistsExpression plain ? ExistsAsValue(plain) : ExistsTest(ex, sub);
        }
        else
        {
            counting = new SelectStatement([], false, null, [new ExpressionSelectItem(count, null, span)],
                new SubqueryTableSource(ex.Query, new Identifier("__exists", true, span), span), null, [], null, [], null, null, span);
        }
        return new BinaryExpression(BinaryOperator.Greater, new ScalarSubquery(counting, span), new IntegerLiteral(0, span), span);
    }

    private bool HoldsAggregate(Expression e)
    {
        var found = new List<Expression>();
        CollectAggregates(e, found);
        return found.Count > 0;
    }

    /// <summary>
    /// Checks that two sides can be compared and coerces constants: a string compared with a timestamp is read as RFC 3339.
    /// </summary>
    private (Expr Left, Expr Right) Comparable(Expr left, Expr right, Expression leftAt, Expression rightAt, SqlNode at)
    {
        NoteParameter(leftAt, right.Type);
        NoteParameter(rightAt, left.Type);
        left = AsTimestampIfNeeded(left, right, at);
        right = AsTimestampIfNeeded(right, left, at);
        var lt = left.Type;
        var rt = right.Type;
        if (lt.Id == ArrowTypeId.Null || rt.Id == ArrowTypeId.Null)
        {
            return (left, right);
        }
        var ok = (Kernels.IsString(lt) && Kernels.IsString(rt))
            || (lt.Id == ArrowTypeId.Boolean && rt.Id == ArrowTypeId.Boolean)
            || (lt.Id == ArrowTypeId.Timestamp && rt.Id == ArrowTypeId.Timestamp)
            || (Kernels.IsNumeric(lt) && Kernels.IsNumeric(rt));
        if (!ok)
        {
            if (lt.Id == ArrowTypeId.Timestamp || rt.Id == ArrowTypeId.Timestamp)
            {
                var other = lt.Id == ArrowTypeId.Timestamp ? rt : lt;
                throw Error(at.Span, Kernels.IsNumeric(other) ? "cannot compare a timestamp with a number" : $"cannot compare a timestamp with {Describe(other)}");
            }
            throw Error(at.Span, $"cannot compare {Describe(lt)} with {Describe(rt)}");
        }
        return (left, right);
    }

    private Expr AsTimestampIfNeeded(Expr e, Expr other, SqlNode at)
    {
        if (other.Type.Id != ArrowTypeId.Timestamp || e is not LiteralExpr { Value: string s })
        {
            return e;
        }
        return TimeText.TryParseTimestamp(s, out var ns)
            ? new LiteralExpr(new TimestampScalar(ns)) { Location = e.Location }
            : throw Error(at.Span, $"cannot compare time with '{s}': not an RFC 3339 timestamp");
    }

    private static string Describe(ArrowType t) => t.Id switch
    {
        _ when Kernels.IsString(t) => "a string",
        _ when Kernels.IsNumeric(t) => "a number",
        ArrowTypeId.Boolean => "a boolean",
        ArrowTypeId.Timestamp => "a timestamp",
        ArrowTypeId.Null => "NULL",
        _ => t.ToString(),
    };

    private void RequireBoolean(Expr e, Expression at, string what)
    {
        if (e.Type.Id is not (ArrowTypeId.Boolean or ArrowTypeId.Null))
        {
            throw Error(at.Span, $"{what} needs a boolean, found {Describe(e.Type)}");
        }
    }

    private void RequireString(Expr e, Expression at)
    {
        if (!Kernels.IsString(e.Type) && e.Type.Id != ArrowTypeId.Null)
        {
            throw Error(at.Span, $"expected a string, found {Describe(e.Type)}");
        }
    }

    private string ConstantString(Expr e, Expression at, string message) =>
        e is LiteralExpr { Value: string s } ? s : throw Error(at.Span, message);

    private CaseExpr BindCase(CaseExpression ce, Binding binding)
    {
        Expr? operand = ce.Operand is null ? null : Bind(ce.Operand, binding);
        var branches = new List<(Expr When, Expr Then)>();
        foreach (var when in ce.Whens)
        {
            Expr condition;
            if (operand is null)
            {
                condition = Bind(when.Condition, binding);
                RequireBoolean(condition, when.Condition, "WHEN");
            }
            else
            {
                var (l, r) = Comparable(operand, Bind(when.Condition, binding), ce.Operand!, when.Condition, when);
                condition = new BinaryExpr(BinaryOp.Equal, l, r, ArrowType.Boolean) { Location = Locate(when.Span) };
            }
            branches.Add((condition, Bind(when.Result, binding)));
        }
        var @else = ce.Else is null ? null : Bind(ce.Else, binding);
        // The result type is what Choose gives for the branches' types (asked on no rows).
        var arms = new List<ArrowArray?>();
        foreach (var (_, then) in branches)
        {
            arms.Add(then.Type.Id == ArrowTypeId.Null ? null : Columns.NullOf(then.Type, 0));
        }
        arms.Add(@else is null || @else.Type.Id == ArrowTypeId.Null ? null : Columns.NullOf(@else.Type, 0));
        var type = arms.All(a => a is null) ? ArrowType.Null : Columns.Choose(arms, [], 0).Type;
        return new CaseExpr(branches, @else, type) { Location = Locate(ce.Span) };
    }

    /// <summary>
    /// The parts date_part knows (TimeFunctions.DatePart), checked here so an unknown EXTRACT field is refused at its
    /// position when the query is planned, not when the first row is computed.
    /// </summary>
    private static readonly HashSet<string> DateParts = new(StringComparer.Ordinal)
    {
        "year", "years", "quarter", "quarters", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
        "minute", "minutes", "second", "seconds", "millisecond", "milliseconds", "microsecond", "microseconds",
        "nanosecond", "nanoseconds", "dow", "doy", "epoch",
    };

    /// <summary><c>EXTRACT(field FROM e)</c> is <c>date_part('field', e)</c>, as in DataFusion.</summary>
    private ScalarFunctionExpr BindExtract(ExtractExpression ex, Binding binding)
    {
        var field = ex.Field.Value.Trim().ToLowerInvariant();
        if (!DateParts.Contains(field))
        {
            throw Error(ex.Field.Span, $"unsupported EXTRACT field '{ex.Field.Value}' (year, quarter, month, week, day, hour, minute, second, millisecond, microsecond, nanosecond, dow, doy or epoch)");
        }
        var operand = Bind(ex.Operand, binding);
        RequireTimeLike(operand, ex.Operand, "EXTRACT");
        return CallBuiltIn("date_part", [new LiteralExpr(field) { Location = Locate(ex.Field.Span) }, operand], [ex.Field.Span, ex.Operand.Span], ex.Span);
    }

    /// <summary>
    /// <c>e AT TIME ZONE zone</c> is <c>tz(e, zone)</c>: our timestamps are instants (UTC), so this is PostgreSQL's
    /// timestamptz form, the wall-clock time in the zone; there is no zoned type, so it comes back without zone.
    /// The zone must be known when planning (a literal or a parameter), and is checked then.
    /// </summary>
    private ScalarFunctionExpr BindAtTimeZone(AtTimeZoneExpression at, Binding binding)
    {
        var operand = Bind(at.Operand, binding);
        RequireTimeLike(operand, at.Operand, "AT TIME ZONE");
        var zone = Bind(at.Zone, binding);
        switch (zone)
        {
            case LiteralExpr { Value: string name }:
                if (!TimeZones.TryFind(name, out _))
                {
                    throw Error(at.Zone.Span, $"unknown time zone '{name}'");
                }
                break;
            case LiteralExpr { Value: null }:
                break;
            case LiteralExpr:
                throw Error(at.Zone.Span, $"the zone of AT TIME ZONE must be a string, found {Describe(zone.Type)}");
            default:
                throw Error(at.Zone.Span, "the zone of AT TIME ZONE must be a constant string, not a column");
        }
        return CallBuiltIn("tz", [operand, zone], [at.Operand.Span, at.Zone.Span], at.Span);
    }

    /// <summary>A timestamp, or a string read as one (as the time functions coerce it), or NULL.</summary>
    private void RequireTimeLike(Expr e, Expression at, string what)
    {
        if (e.Type.Id is not (ArrowTypeId.Timestamp or ArrowTypeId.Null) && !Kernels.IsString(e.Type))
        {
            // An INTERVAL constant is typed as its nanoseconds (int64); say what it was written as.
            throw Error(at.Span, $"{what} needs a timestamp, found {(e is LiteralExpr { Value: IntervalScalar } ? "an interval" : Describe(e.Type))}");
        }
    }

    /// <summary>A call of a registered scalar function that SQL syntax stands for, its type errors at the argument's span.</summary>
    private ScalarFunctionExpr CallBuiltIn(string name, Expr[] args, TextSpan[] spans, TextSpan span)
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
            throw Error(ex.Argument is { } a && a < spans.Length ? spans[a] : span, ex.Message);
        }
        return new ScalarFunctionExpr(function, args, type) { Location = Locate(span) };
    }

    private ScalarFunctionExpr BindFunction(FunctionCall call, Binding binding)
    {
        var name = call.Name.Value.ToLowerInvariant();
        if (call.Over is not null)
        {
            // Window calls are planned before the select list (SqlPlanner.Window.cs); one reaching here is elsewhere.
            throw Error(call.Span, "window functions are not allowed here (only in a SELECT's select list and ORDER BY)");
        }
        if (Aggregation.AggregateFunctions.TryGet(name, out _))
        {
            throw Error(call.Span, binding.AggregatesNotAllowedIn is { } where
                ? $"aggregate functions are not allowed in {where}"
                : $"aggregate function '{name}' is not allowed here");
        }
        if (!ScalarFunctions.TryGet(name, out var function))
        {
            throw Error(call.Name.Span, $"unknown function '{call.Name.Value}'");
        }
        if (call.Star || call.Distinct || call.OrderBy.Count > 0 || call.Filter is not null)
        {
            throw Error(call.Span, $"{name} is not an aggregate: * , DISTINCT, ORDER BY and FILTER do not apply");
        }
        var args = new Expr[call.Arguments.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Bind(call.Arguments[i], binding);
        }
        ArrowType type;
        try
        {
            type = function.ReturnType([.. args.Select(a => a.Type)]);
        }
        catch (FunctionException ex)
        {
            throw Error(ex.Argument is { } a && a < call.Arguments.Count ? call.Arguments[a].Span : call.Span, ex.Message);
        }
        return new ScalarFunctionExpr(function, args, type) { Location = Locate(call.Span) };
    }
}
