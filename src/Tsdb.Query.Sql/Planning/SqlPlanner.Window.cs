using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Sql;

/// <summary>
/// Window functions (<c>f(…) OVER (PARTITION BY … ORDER BY … frame)</c>): computed after WHERE, GROUP BY and HAVING and
/// before the select list, as in DataFusion, so their arguments may be aggregates (<c>sum(count(*)) OVER (…)</c>).
/// One <see cref="WindowPlan"/> per distinct PARTITION BY / ORDER BY, stacked; each call then reads as a column.
/// </summary>
internal sealed partial class SqlPlanner
{
    /// <summary>Window calls in WHERE, GROUP BY or HAVING: refused at the call, since they are computed after those.</summary>
    private void RejectWindowCalls(SelectStatement select)
    {
        var found = new List<FunctionCall>();
        if (select.Where is not null)
        {
            CollectWindowCalls(select.Where, found);
            Reject("WHERE");
        }
        foreach (var g in select.GroupBy)
        {
            CollectWindowCalls(g, found);
            Reject("GROUP BY");
        }
        if (select.Having is not null)
        {
            CollectWindowCalls(select.Having, found);
            Reject("HAVING");
        }

        void Reject(string clause)
        {
            if (found.Count > 0)
            {
                throw Error(found[0].Span, $"window functions are not allowed in {clause}");
            }
        }
    }

    /// <summary>
    /// Plans the window calls of the select list and ORDER BY over <paramref name="plan"/> (the rows after GROUP BY and
    /// HAVING when there are any) and returns a binding in which each call reads its window column.
    /// </summary>
    private (LogicalPlan Plan, Binding Binding) PlanWindows(SelectStatement select, List<SelectItemInfo> items, LogicalPlan plan, BindScope scope, Binding binding, bool aggregated)
    {
        var calls = new List<FunctionCall>();
        foreach (var item in items)
        {
            if (item.Ast is not null)
            {
                CollectWindowCalls(item.Ast, calls);
            }
        }
        var outputNames = new HashSet<string>(items.Select(i => i.Name), StringComparer.Ordinal);
        foreach (var o in select.OrderBy)
        {
            if (!IsOutputReference(o.Expression, outputNames))
            {
                CollectWindowCalls(o.Expression, calls);
            }
        }
        if (calls.Count == 0)
        {
            return (plan, binding);
        }

        // Calls sharing PARTITION BY and ORDER BY share one sort and one operator.
        var windows = new List<(string Key, WindowSpec Spec, List<FunctionCall> Calls)>();
        foreach (var call in calls)
        {
            var spec = call.Over!;
            var key = string.Join(", ", spec.PartitionBy.Select(SqlPrinter.Print)) + " | " + string.Join(", ", spec.OrderBy.Select(SqlPrinter.Print));
            var at = windows.FindIndex(w => w.Key == key);
            if (at < 0)
            {
                windows.Add((key, spec, [call]));
            }
            else
            {
                windows[at].Calls.Add(call);
            }
        }

        // Without scalar subqueries: one would join onto the plan below the window while the window is being built.
        var inputs = new Binding(binding.Scope)
        {
            Replace = binding.Replace,
            ColumnsMustBeGrouped = binding.ColumnsMustBeGrouped,
            AggregatesNotAllowedIn = binding.AggregatesNotAllowedIn,
        };
        var columns = new Dictionary<string, ColumnExpr>(StringComparer.Ordinal);
        foreach (var (_, spec, group) in windows)
        {
            var partitionBy = spec.PartitionBy.Select(p => Bind(p, inputs)).ToList();
            var orderBy = spec.OrderBy.Select(o => new SortExpr(Bind(o.Expression, inputs), o.Descending, o.NullsFirst ?? o.Descending)).ToList();
            var functions = group.Select(c => BindWindowFunction(c, inputs)).ToList();
            plan = new WindowPlan(plan, partitionBy, orderBy, functions);
            for (var k = 0; k < functions.Count; k++)
            {
                var index = plan.Schema.FieldCount - functions.Count + k;
                columns[SqlPrinter.Print(group[k])] = new ColumnExpr(index, functions[k].Name, functions[k].Type);
                if (!aggregated)
                {
                    // The scope names the plan's columns by position: later columns (scalar subqueries) go after these.
                    scope.Add(null, $"__window_{index}", functions[k].Type);
                }
            }
        }

        var previous = binding.Replace;
        Expr? Replace(Expression e)
        {
            if (e is FunctionCall { Over: not null } && columns.TryGetValue(SqlPrinter.Print(e), out var column))
            {
                return new ColumnExpr(column.Index, column.Name, column.Type) { Location = Locate(e.Span) };
            }
            return previous?.Invoke(e);
        }
        return (plan, new Binding(binding.Scope)
        {
            Replace = Replace,
            ColumnsMustBeGrouped = binding.ColumnsMustBeGrouped,
            AggregatesNotAllowedIn = binding.AggregatesNotAllowedIn,
            ScalarSubquery = binding.ScalarSubquery,
        });
    }

    /// <summary>The window calls of an expression (not looking into subqueries); a window call inside another is an error.</summary>
    private void CollectWindowCalls(Expression e, List<FunctionCall> found)
    {
        var stack = new Stack<Expression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is FunctionCall { Over: not null } call)
            {
                var inner = new List<FunctionCall>();
                foreach (var child in Children(call))
                {
                    CollectWindowCalls(child, inner);
                }
                if (inner.Count > 0)
                {
                    throw Error(inner[0].Span, "window function calls cannot be nested");
                }
                var text = SqlPrinter.Print(call);
                if (!found.Exists(f => SqlPrinter.Print(f) == text))
                {
                    found.Add(call);
                }
                continue;
            }
            foreach (var child in Children(next))
            {
                stack.Push(child);
            }
        }
    }

    private WindowExpr BindWindowFunction(FunctionCall call, Binding binding)
    {
        var name = call.Name.Value.ToLowerInvariant();
        if (call.Distinct)
        {
            throw Error(call.Span, "DISTINCT is not supported in window functions yet");
        }
        if (call.OrderBy.Count > 0)
        {
            throw Error(call.OrderBy[0].Span, "ORDER BY inside a window function's parentheses is not supported; order the window in OVER (ORDER BY …)");
        }
        if (call.Filter is not null)
        {
            throw Error(call.Filter.Span, "FILTER is not supported on window functions yet");
        }
        var kind = name switch
        {
            "row_number" => WindowFunctionKind.RowNumber,
            "rank" => WindowFunctionKind.Rank,
            "dense_rank" => WindowFunctionKind.DenseRank,
            "lag" => WindowFunctionKind.Lag,
            "lead" => WindowFunctionKind.Lead,
            "first_value" => WindowFunctionKind.FirstValue,
            "last_value" => WindowFunctionKind.LastValue,
            "count" => WindowFunctionKind.Count,
            "sum" => WindowFunctionKind.Sum,
            "avg" or "mean" => WindowFunctionKind.Avg,
            "min" => WindowFunctionKind.Min,
            "max" => WindowFunctionKind.Max,
            _ => throw Error(call.Name.Span, $"'{call.Name.Value}' is not a supported window function (row_number, rank, dense_rank, lag, lead, first_value, last_value, count, sum, avg, min, max)"),
        };
        if (call.Star && kind != WindowFunctionKind.Count)
        {
            throw Error(call.Span, $"{name}(*) is not defined; only count(*)");
        }
        var args = call.Arguments.Select(a => Bind(a, binding)).ToList();
        var frame = Frame(call.Over!);
        var printed = SqlPrinter.Print(call);
        switch (kind)
        {
            case WindowFunctionKind.RowNumber or WindowFunctionKind.Rank or WindowFunctionKind.DenseRank:
                if (args.Count > 0)
                {
                    throw Error(call.Arguments[0].Span, $"{name} takes no arguments");
                }
                return new WindowExpr(kind, [], 0, frame, ArrowType.Int64, printed);
            case WindowFunctionKind.Lag or WindowFunctionKind.Lead:
            {
                if (args.Count is < 1 or > 3)
                {
                    throw Error(call.Span, $"{name} takes a value, an optional offset and an optional default");
                }
                long offset = 1;
                if (args.Count > 1)
                {
                    offset = args[1] is LiteralExpr { Value: long l }
                        ? l
                        : throw Error(call.Arguments[1].Span, $"the offset of {name} must be a constant integer");
                }
                var value = args[0];
                if (args.Count < 3 || args[2].Type.Id == ArrowTypeId.Null)
                {
                    return new WindowExpr(kind, [value], offset, frame, value.Type, printed);
                }
                var fallback = args[2];
                if (value.Type.Id == ArrowTypeId.Null)
                {
                    return new WindowExpr(kind, [value, fallback], offset, frame, fallback.Type, printed);
                }
                // Values and defaults meet in one type the way CASE branches do.
                var type = Columns.Choose([Columns.NullOf(value.Type, 0), Columns.NullOf(fallback.Type, 0)], [], 0).Type;
                return new WindowExpr(kind, [value, fallback], offset, frame, type, printed);
            }
            case WindowFunctionKind.FirstValue or WindowFunctionKind.LastValue:
                if (args.Count != 1)
                {
                    throw Error(call.Span, $"{name} takes one argument");
                }
                return new WindowExpr(kind, args, 0, frame, args[0].Type, printed);
            case WindowFunctionKind.Count:
                if (args.Count > 1)
                {
                    throw Error(call.Span, "count takes one argument");
                }
                return new WindowExpr(kind, args, 0, frame, ArrowType.Int64, printed);
            case WindowFunctionKind.Min or WindowFunctionKind.Max:
            {
                if (args.Count != 1)
                {
                    throw Error(call.Span, $"{name} takes one argument");
                }
                var t = args[0].Type;
                if (!(Kernels.IsString(t) || Kernels.IsNumeric(t) || t.Id is ArrowTypeId.Timestamp or ArrowTypeId.Boolean))
                {
                    throw Error(call.Arguments[0].Span, $"{name} of {Describe(t)} is not supported");
                }
                return new WindowExpr(kind, args, 0, frame, t, printed);
            }
            default:
            {
                if (args.Count != 1)
                {
                    throw Error(call.Span, $"{name} takes one argument");
                }
                var t = args[0].Type;
                if (!Kernels.IsNumeric(t))
                {
                    throw Error(call.Arguments[0].Span, $"{name} needs a numeric argument, found {Describe(t)}");
                }
                // The evaluator adds in the working type: int64, uint64 or float64 (avg always float64).
                var work = kind == WindowFunctionKind.Avg ? ArrowType.Float64
                    : t.IsSignedInteger ? ArrowType.Int64
                    : t.IsInteger ? ArrowType.UInt64
                    : ArrowType.Float64;
                Expr argument = t == work ? args[0] : new CastExpr(args[0], work) { Location = Locate(call.Arguments[0].Span) };
                return new WindowExpr(kind, [argument], 0, frame, work, printed);
            }
        }
    }

    /// <summary>The frame of a window: as written, or the default (running with peers under ORDER BY, else the whole partition).</summary>
    private WindowFrameSpec Frame(WindowSpec spec)
    {
        if (spec.Frame is not { } frame)
        {
            return spec.OrderBy.Count > 0 ? WindowFrameSpec.RunningWithPeers : WindowFrameSpec.WholePartition;
        }
        if (frame.Units == WindowFrameUnits.Groups)
        {
            throw Error(frame.Span, "GROUPS frames are not supported yet (use ROWS or RANGE)");
        }
        var rows = frame.Units == WindowFrameUnits.Rows;
        return new WindowFrameSpec(rows, Offset(frame.Start, rows), Offset(frame.End, rows));
    }

    private long? Offset(WindowFrameBound bound, bool rows)
    {
        switch (bound.Kind)
        {
            case WindowFrameBoundKind.UnboundedPreceding or WindowFrameBoundKind.UnboundedFollowing:
                return null;
            case WindowFrameBoundKind.CurrentRow:
                return 0;
        }
        if (!rows)
        {
            throw Error(bound.Span, "RANGE frames with an offset are not supported yet (use ROWS BETWEEN n PRECEDING AND …)");
        }
        var n = bound.Offset switch
        {
            IntegerLiteral { Value: >= 0 } i => i.Value,
            ParameterExpression p when Parameter(p) is long l && l >= 0 => l,
            _ => throw Error(bound.Offset!.Span, "a frame offset must be a non-negative integer"),
        };
        return bound.Kind == WindowFrameBoundKind.Preceding ? -n : n;
    }
}
