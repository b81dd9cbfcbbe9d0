using System.Globalization;
using Tsdb.Arrow.Types;
using Tsdb.Query.Aggregation;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Functions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Sql;

/// <summary>SELECT: FROM → WHERE (semi joins for subqueries) → GROUP BY/aggregates → HAVING → select list → DISTINCT → ORDER BY → DISTINCT ON → OFFSET/LIMIT.</summary>
internal sealed partial class SqlPlanner
{
    private int _subqueries;

    private Planned PlanSelect(SelectStatement select)
    {
        RejectWindowCalls(select);
        var from = select.From is null
            ? new Planned(new ValuesPlan(new Schema([]), [OneRow], "one row"), new BindScope())
            : PlanFrom(select.From);
        var plan = from.Plan;
        var scope = from.Scope;

        Binding? afterAggregate = null;

        LogicalPlan ScalarSubqueryPlan(ScalarSubquery sq)
        {
            var sub = PlanQuery(sq.Query).Plan;
            return sub.Schema.FieldCount == 1
                ? sub
                : throw Error(sq.Span, $"a scalar subquery must return one column, this one returns {sub.Schema.FieldCount}");
        }

        Expr ScalarSubqueryColumn(ScalarSubquery sq)
        {
            var rows = new OuterQuery(plan, scope, e => Bind(e, new Binding(scope) { AggregatesNotAllowedIn = "WHERE" }));
            if (CorrelatedScalar(sq, rows) is { } correlated)
            {
                // Left join with the subquery grouped by its correlated keys: one row per key, none for a key without
                // rows, where the value is that of no rows (NULL; 0 for count).
                var first = scope.Count;
                plan = correlated.Attach(plan);
                for (var i = first; i < plan.Schema.FieldCount; i++)
                {
                    scope.Add(null, $"__subquery_{_subqueries}_{i - first}", plan.Schema[i].Type);
                }
                _subqueries++;
                return correlated.Value(scope.Column, first);
            }
            var sub = ScalarSubqueryPlan(sq);
            plan = new JoinPlan(plan, new SingleRowPlan(sub), JoinType.Left, [], null);
            var name = $"__subquery_{_subqueries++}";
            scope.Add(null, name, sub.Schema[0].Type);
            return new ColumnExpr(scope.Count - 1, name, sub.Schema[0].Type);
        }

        // After GROUP BY (select list, HAVING, ORDER BY) the value is joined to the aggregate's output, one row per
        // group; the scope stays that of the rows before aggregation, so the column is the join's last one. A
        // correlated subquery's outer sides are bound again after aggregation, so they must be group keys (or
        // aggregates) there, as in DuckDB.
        Expr ScalarSubqueryAfterAggregate(ScalarSubquery sq)
        {
            var groups = new OuterQuery(plan, scope, e => Bind(e, afterAggregate ?? throw new InvalidOperationException("a subquery bound after GROUP BY before the aggregate was planned")));
            if (CorrelatedScalar(sq, groups) is { } correlated)
            {
                var first = plan.Schema.FieldCount;
                plan = correlated.Attach(plan);
                var number = _subqueries++;
                var joined = plan.Schema;
                return correlated.Value(i => new ColumnExpr(i, $"__subquery_{number}_{i - first}", joined[i].Type), first);
            }
            var sub = ScalarSubqueryPlan(sq);
            plan = new JoinPlan(plan, new SingleRowPlan(sub), JoinType.Left, [], null);
            return new ColumnExpr(plan.Schema.FieldCount - 1, $"__subquery_{_subqueries++}", sub.Schema[0].Type);
        }

        if (select.Where is not null)
        {
            var terms = new List<Expression>();
            Flatten(select.Where, BinaryOperator.And, terms);
            var plain = new List<Expr>();
            foreach (var written in terms)
            {
                var term = CorrelatedWhereTerm(written, scope);
                if (SemiJoin(plan, scope, term) is { } joined)
                {
                    plan = joined;
                    continue;
                }
                var bound = Bind(term, new Binding(scope) { AggregatesNotAllowedIn = "WHERE", ScalarSubquery = ScalarSubqueryColumn });
                RequireBoolean(bound, term, "WHERE");
                plain.Add(bound);
            }
            if (plain.Count > 0)
            {
                plan = new FilterPlan(plan, Balanced([.. plain], 0, plain.Count, BinaryOp.And, select.Where));
            }
        }

        var items = SelectItems(select, scope);
        var aggregateCalls = new List<Expression>();
        foreach (var item in items)
        {
            if (item.Ast is not null)
            {
                CollectAggregates(item.Ast, aggregateCalls);
            }
        }
        if (select.Having is not null)
        {
            CollectAggregates(select.Having, aggregateCalls);
        }
        var outputNames = new HashSet<string>(items.Select(i => i.Name), StringComparer.Ordinal);
        foreach (var o in select.OrderBy)
        {
            if (!IsOutputReference(o.Expression, outputNames))
            {
                CollectAggregates(o.Expression, aggregateCalls);
            }
        }

        Binding binding;
        var aggregated = aggregateCalls.Count > 0 || select.GroupBy.Count > 0;
        if (aggregated)
        {
            (plan, binding) = PlanAggregate(select, () => plan, scope, items, aggregateCalls, ScalarSubqueryColumn, ScalarSubqueryAfterAggregate);
            afterAggregate = binding;
            if (select.Having is not null)
            {
                var having = Bind(select.Having, binding);
                RequireBoolean(having, select.Having, "HAVING");
                plan = new FilterPlan(plan, having);
            }
        }
        else
        {
            if (select.Having is not null)
            {
                throw Error(select.Having.Span, "HAVING needs GROUP BY or an aggregate");
            }
            binding = new Binding(scope) { AggregatesNotAllowedIn = "this SELECT", ScalarSubquery = ScalarSubqueryColumn };
        }
        (plan, binding) = PlanWindows(select, items, plan, scope, binding, aggregated);

        // The select list, then hidden columns for ORDER BY and DISTINCT ON keys that are not output columns.
        var exprs = new List<Expr>();
        var names = new List<string>();
        foreach (var item in items)
        {
            exprs.Add(item.Ast is null ? Rebind(item.Column!, aggregated, binding, item) : Bind(item.Ast, binding));
            names.Add(item.Name);
        }
        var visible = exprs.Count;
        var sortKeys = new List<SortExpr>();
        foreach (var o in select.OrderBy)
        {
            int column;
            if (o.Expression is IntegerLiteral ordinal)
            {
                column = ordinal.Value >= 1 && ordinal.Value <= visible
                    ? (int)ordinal.Value - 1
                    : throw Error(o.Expression.Span, $"ORDER BY position {ordinal.Value} is not in the select list");
            }
            else if (o.Expression is ColumnReference { Parts.Count: 1 } c && names.IndexOf(c.Parts[0].Value) is var at and >= 0 && at < visible)
            {
                column = at;
            }
            else
            {
                var key = Bind(o.Expression, binding);
                var same = exprs.FindIndex(e => Key(e) == Key(key));
                if (same >= 0)
                {
                    column = same;
                }
                else
                {
                    if (select.Distinct)
                    {
                        throw Error(o.Expression.Span, "for SELECT DISTINCT, ORDER BY expressions must appear in the select list");
                    }
                    exprs.Add(key);
                    names.Add($"__order_{exprs.Count}");
                    column = exprs.Count - 1;
                }
            }
            sortKeys.Add(new SortExpr(new ColumnExpr(column, names[column], exprs[column].Type), o.Descending, o.NullsFirst ?? o.Descending));
        }
        var distinctOn = new List<Expr>();
        foreach (var d in select.DistinctOn ?? [])
        {
            int column;
            if (d is ColumnReference { Parts.Count: 1 } c && names.IndexOf(c.Parts[0].Value) is var at and >= 0 && at < visible)
            {
                column = at;
            }
            else
            {
                var key = Bind(d, binding);
                column = exprs.FindIndex(e => Key(e) == Key(key));
                if (column < 0)
                {
                    exprs.Add(key);
                    names.Add($"__distinct_on_{exprs.Count}");
                    column = exprs.Count - 1;
                }
            }
            distinctOn.Add(new ColumnExpr(column, names[column], exprs[column].Type));
        }

        plan = FinishGapFill(new ProjectionPlan(plan, exprs, names), binding);
        if (select.Distinct)
        {
            var keys = plan.Schema.Fields.Select((f, i) => (Expr)new ColumnExpr(i, f.Name, f.Type)).ToList();
            plan = new AggregatePlan(plan, keys, [.. plan.Schema.Fields.Select(f => f.Name)], []);
        }
        var skip = Count(select.Offset, "OFFSET") ?? 0;
        var fetch = Count(select.Limit, "LIMIT");
        if (sortKeys.Count > 0)
        {
            plan = new SortPlan(plan, sortKeys, fetch is { } f && distinctOn.Count == 0 ? f + skip : null);
        }
        if (distinctOn.Count > 0)
        {
            plan = new DistinctOnPlan(plan, distinctOn);
        }
        if (skip > 0 || fetch is not null)
        {
            plan = new LimitPlan(plan, skip, fetch);
        }
        if (exprs.Count > visible)
        {
            plan = new ProjectionPlan(plan, [.. Enumerable.Range(0, visible).Select(i => (Expr)new ColumnExpr(i, names[i], exprs[i].Type))], names.Take(visible).ToList());
        }
        return new Planned(plan, BindScope.Of(plan.Schema, null));
    }

    /// <summary>A column of a * expansion, through the aggregate when there is one (it must then be a group key).</summary>
    private Expr Rebind(ColumnExpr column, bool aggregated, Binding binding, SelectItemInfo item)
    {
        if (!aggregated)
        {
            return column;
        }
        return binding.Replace?.Invoke(new ColumnReference([new Identifier(column.Name, true, item.Span)], item.Span))
            ?? throw Error(item.Span, $"column '{column.Name}' must appear in the GROUP BY clause or be used in an aggregate function");
    }

    /// <summary>One output column of the select list: an expression as written, or a column a * expanded to.</summary>
    internal sealed record SelectItemInfo(Expression? Ast, ColumnExpr? Column, string Name, TextSpan Span);

    private List<SelectItemInfo> SelectItems(SelectStatement select, BindScope scope)
    {
        var items = new List<SelectItemInfo>();
        foreach (var item in select.Projection)
        {
            switch (item)
            {
                case WildcardSelectItem w:
                {
                    var qualifier = w.Qualifier?.Parts[^1].Value;
                    var several = scope.HasSeveralQualifiers;
                    var any = false;
                    for (var i = 0; i < scope.Count; i++)
                    {
                        var col = scope.Columns[i];
                        if (col.Name.StartsWith("__subquery_", StringComparison.Ordinal) || (qualifier is not null && col.Qualifier != qualifier))
                        {
                            continue;
                        }
                        any = true;
                        var name = several && qualifier is null && col.Qualifier is not null ? col.Qualifier + "." + col.Name : col.Name;
                        items.Add(new SelectItemInfo(null, scope.Column(i), name, w.Span));
                    }
                    if (!any && qualifier is not null)
                    {
                        throw Error(w.Span, $"unknown table '{qualifier}'");
                    }
                    break;
                }
                case ExpressionSelectItem e:
                    items.Add(new SelectItemInfo(e.Expression, null, e.Alias?.Value ?? OutputNames.Of(e.Expression, scope, SubqueryName), e.Span));
                    break;
            }
        }
        return items;
    }

    /// <summary>The name of a scalar subquery's one column, as DataFusion names the subquery expression.</summary>
    private string? SubqueryName(QueryStatement query)
    {
        while (query is UnionAllStatement union)
        {
            query = union.Inputs[0];
        }
        if (query is not SelectStatement { Projection: [ExpressionSelectItem first, ..] } select)
        {
            return null;
        }
        if (first.Alias is not null)
        {
            return first.Alias.Value;
        }
        // The FROM alone binds without the outer query, so a correlated subquery is named as well.
        var scope = select.From is null ? new BindScope() : PlanFrom(select.From).Scope;
        return OutputNames.Of(first.Expression, scope, SubqueryName);
    }

    private static bool IsOutputReference(Expression e, HashSet<string> names) =>
        e is IntegerLiteral || (e is ColumnReference { Parts.Count: 1 } c && names.Contains(c.Parts[0].Value));

    private static bool IsAggregateCall(Expression e) =>
        e is FunctionCall { Over: null } f && AggregateFunctions.TryGet(f.Name.Value.ToLowerInvariant(), out _);

    /// <summary>The aggregate calls of an expression (a selector with its ['value'|'time'] access as one), not looking into subqueries.</summary>
    private void CollectAggregates(Expression e, List<Expression> found)
    {
        var stack = new Stack<Expression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is FieldAccessExpression { Operand: FunctionCall selector } fa && IsAggregateCall(selector))
            {
                Add(fa, selector);
                continue;
            }
            if (IsAggregateCall(next))
            {
                Add(next, (FunctionCall)next);
                continue;
            }
            foreach (var child in Children(next))
            {
                stack.Push(child);
            }
        }

        void Add(Expression call, FunctionCall f)
        {
            foreach (var arg in f.Arguments)
            {
                var inner = new List<Expression>();
                CollectNested(arg, inner);
                if (inner.Count > 0)
                {
                    throw Error(inner[0].Span, "aggregate function calls cannot be nested");
                }
            }
            var text = SqlPrinter.Print(call);
            if (!found.Any(x => SqlPrinter.Print(x) == text))
            {
                found.Add(call);
            }
        }
    }

    private static void CollectNested(Expression e, List<Expression> found)
    {
        // A stack, not recursion: an argument may hold an AND/OR chain of thousands of terms.
        var stack = new Stack<Expression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (IsAggregateCall(next))
            {
                found.Add(next);
                continue;
            }
            foreach (var c in Children(next))
            {
                stack.Push(c);
            }
        }
    }

    private static IEnumerable<Expression> Children(Expression e) => e switch
    {
        BinaryExpression b => [b.Left, b.Right],
        UnaryExpression u => [u.Operand],
        FunctionCall f => [.. f.Arguments, .. f.OrderBy.Select(o => o.Expression), .. f.Filter is null ? [] : new[] { f.Filter },
            .. f.Over?.PartitionBy ?? [], .. f.Over?.OrderBy.Select(o => o.Expression) ?? []],
        CastExpression c => [c.Operand],
        CaseExpression c => [.. c.Operand is null ? [] : new[] { c.Operand }, .. c.Whens.SelectMany(w => new[] { w.Condition, w.Result }), .. c.Else is null ? [] : new[] { c.Else }],
        IsNullExpression n => [n.Operand],
        InListExpression i => [i.Operand, .. i.Values],
        BetweenExpression b => [b.Operand, b.Low, b.High],
        LikeExpression l => [l.Operand, l.Pattern],
        FieldAccessExpression f => [f.Operand],
        ExtractExpression x => [x.Operand],
        AtTimeZoneExpression z => [z.Operand, z.Zone],
        InSubqueryExpression i => [i.Operand],
        _ => [],
    };

    /// <summary>Whether an expression holds a subquery (scalar, IN or EXISTS) outside nested queries' own text.</summary>
    private static bool HoldsSubquery(Expression e)
    {
        var stack = new Stack<Expression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is ScalarSubquery or InSubqueryExpression or ExistsExpression)
            {
                return true;
            }
            foreach (var c in Children(next))
            {
                stack.Push(c);
            }
        }
        return false;
    }

    /// <summary>
    /// An expression's identity when GROUP BY, ORDER BY and DISTINCT ON keys are matched: its text with each column
    /// written as its input position. Names alone are not enough: a.hostname and b.hostname of a join print alike.
    /// </summary>
    private static string Key(Expr e) =>
        e.Transform(x => x is ColumnExpr c ? new ColumnExpr(c.Index, "#" + c.Index.ToString(CultureInfo.InvariantCulture), c.Type) : null).ToString()!;

    private (LogicalPlan Plan, Binding Binding) PlanAggregate(
        SelectStatement select, Func<LogicalPlan> currentInput, BindScope scope, List<SelectItemInfo> items, List<Expression> calls,
        Func<ScalarSubquery, Expr> rowSubquery, Func<ScalarSubquery, Expr> scalarSubquery)
    {
        var gapFill = new GapFillQuery();
        // A group key may hold a subquery (GROUP BY x IN (SELECT …)): its value is joined to the rows before they are
        // grouped, so the input is read only after the keys are bound.
        var pre = new Binding(scope) { AggregatesNotAllowedIn = "GROUP BY", GapFill = gapFill, ScalarSubquery = rowSubquery };
        var groups = new List<Expr>();
        var groupNames = new List<string>();
        // Keys holding a subquery are matched by their text: binding them again would join the subquery again.
        var subqueryKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var g in select.GroupBy)
        {
            var ast = g;
            if (g is IntegerLiteral ordinal)
            {
                if (ordinal.Value < 1 || ordinal.Value > items.Count)
                {
                    throw Error(g.Span, $"GROUP BY position {ordinal.Value} is not in the select list");
                }
                var item = items[(int)ordinal.Value - 1];
                ast = item.Ast ?? new ColumnReference([new Identifier(item.Column!.Name, true, item.Span)], item.Span);
            }
            else if (g is ColumnReference { Parts.Count: 1 } named && scope.Find([named.Parts[0].Value]) == -1
                && items.FirstOrDefault(i => i.Name == named.Parts[0].Value && i.Ast is not null) is { } aliased)
            {
                ast = aliased.Ast!;
            }
            NoteGapFillKey(gapFill, ast, groups.Count);
            var holdsSubquery = HoldsSubquery(ast);
            if (holdsSubquery && subqueryKeys.ContainsKey(SqlPrinter.Print(ast)))
            {
                continue;
            }
            var bound = Bind(ast, pre);
            if (groups.Any(x => Key(x) == Key(bound)))
            {
                continue;
            }
            if (holdsSubquery)
            {
                subqueryKeys[SqlPrinter.Print(ast)] = groups.Count;
            }
            groups.Add(bound);
            groupNames.Add(ast is ColumnReference cr ? cr.Parts[^1].Value : SqlPrinter.Print(ast));
        }
        var aggregates = new List<AggregateCall>();
        var callNames = new List<string>();
        foreach (var call in calls)
        {
            aggregates.Add(BindAggregate(call, scope));
            callNames.Add(SqlPrinter.Print(call));
        }
        var input = currentInput();
        var plan = new AggregatePlan(input, groups, groupNames, aggregates);
        var groupTexts = groups.Select(Key).ToList();
        var probe = new Binding(scope) { AggregatesNotAllowedIn = "(probe)", GapFill = gapFill };
        Expr? Replace(Expression e)
        {
            if (subqueryKeys.Count > 0 && HoldsSubquery(e) && subqueryKeys.TryGetValue(SqlPrinter.Print(e), out var k))
            {
                return new ColumnExpr(k, groupNames[k], groups[k].Type) { Location = Locate(e.Span) };
            }
            if (e is FunctionCall or FieldAccessExpression)
            {
                var text = SqlPrinter.Print(e);
                var at = callNames.IndexOf(text);
                if (at >= 0)
                {
                    var call = aggregates[at];
                    return new ColumnExpr(groups.Count + at, call.Name, call.Type) { Location = Locate(e.Span) };
                }
            }
            if (e is IntegerLiteral or FloatLiteral or StringLiteral or BooleanLiteral or NullLiteral)
            {
                return null;
            }
            Expr bound;
            try
            {
                bound = Bind(e, probe);
            }
            catch (QueryException)
            {
                return null;   // it holds an aggregate or something only its parts can answer: bind its parts
            }
            var g = groupTexts.IndexOf(Key(bound));
            return g >= 0 ? new ColumnExpr(g, groupNames[g], groups[g].Type) { Location = Locate(e.Span) } : null;
        }
        return (gapFill.Call is null ? plan : PlanGapFill(gapFill, plan, input),
            new Binding(scope) { Replace = Replace, ColumnsMustBeGrouped = true, GapFill = gapFill, ScalarSubquery = scalarSubquery });
    }

    private AggregateCall BindAggregate(Expression ast, BindScope scope)
    {
        var (call, member) = ast switch
        {
            FieldAccessExpression { Operand: FunctionCall f } fa => (f, (string?)fa.Field),
            _ => ((FunctionCall)ast, null),
        };
        var name = call.Name.Value.ToLowerInvariant();
        AggregateFunctions.TryGet(name, out var function);
        var rows = new Binding(scope) { AggregatesNotAllowedIn = "an aggregate's arguments" };
        var args = new List<Expr>();
        object? parameter = member;
        if (name == "approx_percentile_cont")
        {
            if (call.Arguments.Count != 2)
            {
                throw Error(call.Span, "approx_percentile_cont takes a value and a percentile between 0 and 1");
            }
            args.Add(Bind(call.Arguments[0], rows));
            parameter = Bind(call.Arguments[1], rows) switch
            {
                LiteralExpr { Value: double d } when d is >= 0 and <= 1 => d,
                LiteralExpr { Value: long l } when l is 0 or 1 => (double)l,
                _ => throw Error(call.Arguments[1].Span, "the percentile of approx_percentile_cont must be a constant between 0 and 1"),
            };
        }
        else
        {
            foreach (var a in call.Arguments)
            {
                args.Add(Bind(a, rows));
            }
        }
        var isSelector = name is "selector_first" or "selector_last" or "selector_min" or "selector_max";
        if (isSelector && member is null)
        {
            throw Error(call.Span, $"use {name}(…)['value'] or {name}(…)['time']");
        }
        if (!isSelector && member is not null)
        {
            throw Error(ast.Span, $"['{member}'] is only defined on the selector functions");
        }
        var orderBy = new List<(bool Descending, bool NullsFirst)>();
        foreach (var o in call.OrderBy)
        {
            args.Add(Bind(o.Expression, rows));
            orderBy.Add((o.Descending, o.NullsFirst ?? o.Descending));
        }
        Expr? filter = null;
        if (call.Filter is not null)
        {
            filter = Bind(call.Filter, rows);
            RequireBoolean(filter, call.Filter, "FILTER");
        }
        var options = new AggregateCallOptions(call.Distinct, orderBy, parameter);
        ArrowType type;
        try
        {
            type = function!.ReturnType([.. args.Select(a => a.Type)], options);
        }
        catch (FunctionException ex)
        {
            throw Error(ex.Argument is { } i && i < call.Arguments.Count ? call.Arguments[i].Span : call.Span, ex.Message);
        }
        return new AggregateCall(function, args, options, filter, type, SqlPrinter.Print(ast));
    }

    /// <summary>
    /// A WHERE term that is a subquery test becomes a semi or anti join of <paramref name="input"/>: x [NOT] IN (SELECT …),
    /// [NOT] EXISTS (SELECT … WHERE inner = outer …) with the correlated equalities as join keys. Null for other terms.
    /// </summary>
    private JoinPlan? SemiJoin(LogicalPlan input, BindScope scope, Expression term)
    {
        var negated = false;
        if (term is UnaryExpression { Operator: UnaryOperator.Not, Operand: ExistsExpression or InSubqueryExpression } not)
        {
            negated = true;
            term = not.Operand;
        }
        switch (term)
        {
            case InSubqueryExpression ins:
            {
                var sub = PlanQuery(ins.Query).Plan;
                if (sub.Schema.FieldCount != 1)
                {
                    throw Error(ins.Query.Span, $"the subquery of IN must return one column, this one returns {sub.Schema.FieldCount}");
                }
                var operand = Bind(ins.Operand, new Binding(scope) { AggregatesNotAllowedIn = "WHERE" });
                var (l, r) = Comparable(operand, new ColumnExpr(0, sub.Schema[0].Name, sub.Schema[0].Type), ins.Operand, ins.Operand, ins);
                var not2 = negated ^ ins.Negated;
                return new JoinPlan(input, sub, not2 ? JoinType.LeftAnti : JoinType.LeftSemi, [(l, r)], null, nullAwareAnti: not2);
            }
            case ExistsExpression exists:
                return Exists(input, scope, exists, negated);
            default:
                return null;
        }
    }

    private JoinPlan Exists(LogicalPlan input, BindScope outer, ExistsExpression exists, bool negated)
    {
        if (exists.Query is not SelectStatement { From: not null } sub || sub.With.Count > 0)
        {
            var plan = PlanQuery(exists.Query).Plan;
            return new JoinPlan(input, plan, negated ? JoinType.LeftAnti : JoinType.LeftSemi, [], null);
        }
        var inner = PlanFrom(sub.From!);
        var innerBinding = new Binding(inner.Scope) { AggregatesNotAllowedIn = "WHERE" };
        var outerBinding = new Binding(outer) { AggregatesNotAllowedIn = "WHERE" };
        var keys = new List<(Expr Outer, Expr Inner)>();
        var local = new List<Expression>();
        // Other correlated terms (m.time > c.time) are the join's residual, over the outer columns then the inner ones.
        var pairBinding = new Binding(BindScope.Concat(outer, inner.Scope)) { AggregatesNotAllowedIn = "WHERE" };
        var residual = new List<Expr>();
        if (sub.Where is not null)
        {
            var terms = new List<Expression>();
            Flatten(sub.Where, BinaryOperator.And, terms);
            foreach (var t in terms)
            {
                if (TryBind(t, innerBinding) is not null)
                {
                    local.Add(t);
                    continue;
                }
                if (t is BinaryExpression { Operator: BinaryOperator.Equal } eq)
                {
                    if (TryBind(eq.Left, innerBinding) is { } il && TryBind(eq.Right, outerBinding) is { } or)
                    {
                        var (a, b) = Comparable(or, il, eq.Right, eq.Left, eq);
                        keys.Add((a, b));
                        continue;
                    }
                    if (TryBind(eq.Right, innerBinding) is { } ir && TryBind(eq.Left, outerBinding) is { } ol)
                    {
                        var (a, b) = Comparable(ol, ir, eq.Left, eq.Right, eq);
                        keys.Add((a, b));
                        continue;
                    }
                }
                // Neither local nor a correlated equality: a residual; binding it reports its own errors (unknown column, type).
                var condition = Bind(t, pairBinding);
                RequireBoolean(condition, t, "WHERE");
                residual.Add(condition);
            }
        }
        var correlated = keys.Count > 0 || residual.Count > 0;
        if (correlated && (sub.GroupBy.Count > 0 || sub.Having is not null || sub.Limit is not null || sub.Offset is not null))
        {
            // CorrelatedWhereTerm rewrites these shapes before the semi join sees them.
            throw new InvalidOperationException("a correlated EXISTS with GROUP BY, HAVING or LIMIT reached the semi join");
        }
        if (!correlated)
        {
            var plan = PlanQuery(exists.Query).Plan;
            return new JoinPlan(input, plan, negated ? JoinType.LeftAnti : JoinType.LeftSemi, [], null);
        }
        LogicalPlan innerPlan = inner.Plan;
        if (local.Count > 0)
        {
            var bound = local.Select(t => Bind(t, innerBinding)).ToArray();
            innerPlan = new FilterPlan(innerPlan, Balanced(bound, 0, bound.Length, BinaryOp.And, sub.Where!));
        }
        if (residual.Count > 0)
        {
            // The residual reads inner columns, so the inner side keeps them all (the keys are computed by the join).
            return new JoinPlan(input, innerPlan, negated ? JoinType.LeftAnti : JoinType.LeftSemi, keys, Balanced([.. residual], 0, residual.Count, BinaryOp.And, sub.Where!));
        }
        innerPlan = new ProjectionPlan(innerPlan, [.. keys.Select(k => k.Inner)], [.. keys.Select((_, i) => $"key{i}")]);
        var on = keys.Select((k, i) => (k.Outer, (Expr)new ColumnExpr(i, $"key{i}", k.Inner.Type))).ToList();
        return new JoinPlan(input, innerPlan, negated ? JoinType.LeftAnti : JoinType.LeftSemi, on, null);
    }

    /// <summary>A decorrelated scalar subquery: its plan per key (the keys first, its value last), the join keys over the
    /// outer rows, and, where it aggregates over a domain, its value over no rows (<see cref="Empty"/>, one row).</summary>
    private sealed record CorrelatedSubquery(LogicalPlan Plan, List<(Expr Outer, Expr Inner)> On, bool Counts, bool Single, LogicalPlan? Empty = null)
    {
        /// <summary>The outer plan left-joined with the subquery's rows (then with its one row over no rows, if any).</summary>
        public LogicalPlan Attach(LogicalPlan outer)
        {
            LogicalPlan joined = new JoinPlan(outer, Plan, JoinType.Left, On, null);
            return Empty is null ? joined : new JoinPlan(joined, new SingleRowPlan(Empty), JoinType.Left, [], null);
        }

        /// <summary>The subquery's value read from the joined row whose subquery columns start at <paramref name="first"/>
        /// (the column before the value: its row count when <see cref="Single"/>, its match marker when <see cref="Empty"/>).</summary>
        public Expr Value(Func<int, Expr> column, int first)
        {
            var at = first + Plan.Schema.FieldCount - 1;
            var value = column(at);
            if (Counts)
            {
                return Coalesce(value, new LiteralExpr(0L, ArrowType.Int64));
            }
            if (Single)
            {
                return ScalarFunctions.TryGet(ScalarFunctions.OneRow, out var check) ? new ScalarFunctionExpr(check, [value, column(at - 1)], value.Type) : value;
            }
            if (Empty is not null)
            {
                var none = column(at + 1);
                if (none.Type != value.Type)
                {
                    none = new CastExpr(none, value.Type);
                }
                return new CaseExpr([(new IsNullExpr(column(at - 1), false), none)], value, value.Type);
            }
            return value;
        }
    }

    /// <summary>
    /// A scalar subquery whose WHERE compares inner columns with the outer query's (<c>(SELECT max(v) FROM t t2 WHERE
    /// t2.host = t1.host)</c>), decorrelated as DuckDB and DataFusion do: the subquery grouped by the inner sides of its
    /// correlated equalities, <c>SELECT k0, …, value FROM … WHERE local terms GROUP BY k0, …</c>, to be left-joined on
    /// them. Null when the subquery is not correlated. That plan takes one select item that aggregates (a bare count
    /// gets 0 for a key without rows, the "count bug"), or any item per row; other shapes (other comparisons, GROUP BY,
    /// HAVING, DISTINCT, count inside an expression) go through the general plan over their domain (<see cref="GeneralScalar"/>).
    /// </summary>
    private CorrelatedSubquery? CorrelatedScalar(ScalarSubquery sq, OuterQuery outer)
    {
        if (sq.Query is not SelectStatement { From: not null } sub || sub.With.Count > 0)
        {
            return null;
        }
        var inner = PlanFrom(sub.From!);
        RejectOuterColumnsOutsideWhere(sub, inner.Scope, outer.Scope);
        if (sub.Where is null)
        {
            return null;
        }
        var innerBinding = new Binding(inner.Scope) { AggregatesNotAllowedIn = "WHERE" };
        var outerBinding = new Binding(outer.Scope) { AggregatesNotAllowedIn = "WHERE" };
        var terms = new List<Expression>();
        Flatten(sub.Where!, BinaryOperator.And, terms);
        var local = new List<Expression>();
        var correlated = new List<Expression>();
        var keys = new List<(Expression Inner, Expression OuterAst, BinaryExpression Equality)>();
        var general = false;
        // Outer columns that subqueries nested in local terms read (two levels down): they join the domain, under
        // their own names, so that the nested subquery is correlated with it.
        var nested = new List<ColumnReference>();
        bool Outer(ColumnReference c) => inner.Scope.Find([.. c.Parts.Select(p => p.Value)]) == -1 && outer.Scope.Find([.. c.Parts.Select(p => p.Value)]) >= 0;
        foreach (var t in terms)
        {
            // A term that reads no outer column is the subquery's own (a nested subquery in it is planned with it).
            if (!ColumnsOf(t).Exists(Outer))
            {
                nested.AddRange(FreeColumnsOfSubqueries(t).Where(Outer));
                local.Add(t);
                continue;
            }
            correlated.Add(t);
            if (t is BinaryExpression { Operator: BinaryOperator.Equal } eq)
            {
                if (TryBind(eq.Left, innerBinding) is not null && TryBind(eq.Right, outerBinding) is not null)
                {
                    keys.Add((eq.Left, eq.Right, eq));
                    continue;
                }
                if (TryBind(eq.Right, innerBinding) is not null && TryBind(eq.Left, outerBinding) is not null)
                {
                    keys.Add((eq.Right, eq.Left, eq));
                    continue;
                }
            }
            general = true;
        }
        if (correlated.Count == 0 && nested.Count == 0)
        {
            return null;
        }
        general |= nested.Count > 0;
        var aggregates = new List<Expression>();
        var item = sub.Projection is [ExpressionSelectItem one] ? one : null;
        if (item is not null)
        {
            CollectAggregates(item.Expression, aggregates);
        }
        var counts = item?.Expression is FunctionCall { Over: null } call && call.Name.Value.Equals("count", StringComparison.OrdinalIgnoreCase);
        general |= item is null || sub.GroupBy.Count > 0 || sub.Having is not null || sub.Distinct || sub.DistinctOn is not null
            || (!counts && aggregates.Exists(a => a is FunctionCall f && f.Name.Value.Equals("count", StringComparison.OrdinalIgnoreCase)))
            || (sub.Limit is not null and not IntegerLiteral { Value: 1 }) || sub.Offset is not null and not IntegerLiteral { Value: 0 };
        if (general || item is null)
        {
            return GeneralScalar(sq, sub, inner, local, correlated, nested, outer);
        }
        var limitOne = sub.Limit is IntegerLiteral { Value: 1 };
        var span = sq.Span;
        var valueExpression = item.Expression;
        if (aggregates.Count == 0)
        {
            // Per outer row: with LIMIT 1 the first row in the subquery's order (any row without ORDER BY), as
            // first_value(… ORDER BY …) over its correlation keys; without, its one row, and an error when there are more.
            valueExpression = new FunctionCall(new Identifier("first_value", false, span), [item.Expression], false, false,
                limitOne ? [.. sub.OrderBy.Select(o => o with { Expression = OrderTarget(o.Expression, item) })] : [], span);
        }
        var single = aggregates.Count == 0 && !limitOne;
        var projection = new List<SelectItem>();
        for (var i = 0; i < keys.Count; i++)
        {
            projection.Add(new ExpressionSelectItem(keys[i].Inner, new Identifier($"__key{i}", true, span), span));
        }
        if (single)
        {
            // Its rows per key, checked against the outer rows after the join ($one_row): a key no outer row has may hold many.
            projection.Add(new ExpressionSelectItem(new FunctionCall(new Identifier("count", false, span), [], false, true, [], span), new Identifier("__rows", true, span), span));
        }
        projection.Add(new ExpressionSelectItem(valueExpression, new Identifier("__value", true, span), span));
        Expression? where = null;
        foreach (var t in local)
        {
            where = where is null ? t : new BinaryExpression(BinaryOperator.And, where, t, span);
        }
        var grouped = new SelectStatement([], false, null, projection, sub.From, where,
            [.. keys.Select((_, i) => (Expression)new IntegerLiteral(i + 1, span))], null, [], null, null, span);
        var plan = PlanQuery(grouped).Plan;
        var on = new List<(Expr Outer, Expr Inner)>();
        for (var i = 0; i < keys.Count; i++)
        {
            on.Add(Comparable(outer.Bind(keys[i].OuterAst), new ColumnExpr(i, $"__key{i}", plan.Schema[i].Type), keys[i].OuterAst, keys[i].Inner, keys[i].Equality));
        }
        return new CorrelatedSubquery(plan, on, counts, single);
    }

    /// <summary>An ORDER BY item of a subquery as an expression over its rows: <c>1</c> or the select item's alias is the item.</summary>
    private static Expression OrderTarget(Expression order, ExpressionSelectItem item) => order switch
    {
        IntegerLiteral { Value: 1 } => item.Expression,
        ColumnReference { Parts: [var name] } when item.Alias is { } alias && alias.Value.Equals(name.Value, StringComparison.OrdinalIgnoreCase) => item.Expression,
        _ => order,
    };

    private static ScalarFunctionExpr Coalesce(Expr value, Expr otherwise) =>
        ScalarFunctions.TryGet("coalesce", out var function)
            ? new ScalarFunctionExpr(function, [value, otherwise], value.Type)
            : throw new InvalidOperationException("the scalar function 'coalesce' is not registered");

    private Expr? TryBind(Expression e, Binding binding)
    {
        try
        {
            return Bind(e, binding);
        }
        catch (QueryException)
        {
            return null;
        }
    }
}
