using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Sql;

/// <summary>
/// General decorrelation (Neumann and Kemper, "Unnesting Arbitrary Queries", as DuckDB and DataFusion do it): the
/// distinct outer values a subquery's correlated terms read become a domain D; the subquery runs once over its rows
/// joined with D on those terms (any comparison), per D row as a group; the outer query joins the answer back on D's
/// columns, NULL matching NULL. The equality-only shapes keep their faster plans (<see cref="CorrelatedScalar"/>,
/// <see cref="Exists"/>); this serves the rest.
/// </summary>
internal sealed partial class SqlPlanner
{
    /// <summary>The query around a subquery where it is bound: its plan so far, the names of its rows, and how an outer
    /// column the subquery reads is bound there (over the rows; after GROUP BY over the groups, so a group key).</summary>
    private sealed record OuterQuery(LogicalPlan Plan, BindScope Scope, Func<Expression, Expr> Bind);

    /// <summary>The subquery's rows joined with its domain (the distinct outer values its correlated terms read, named
    /// <c>__d0</c>, …), and those values' expressions over the outer plan.</summary>
    private sealed record DomainJoin(Planned Rows, List<Expr> Outer);

    /// <summary>
    /// <paramref name="inner"/>'s rows joined with the domain of <paramref name="correlated"/>: D = SELECT DISTINCT of the
    /// outer columns the terms read, over the outer plan as it is here; the terms, with those columns read from D, are
    /// the join's condition (an equality among them a hash key, the rest a residual or a nested loop's filter).
    /// </summary>
    private DomainJoin JoinDomain(Planned inner, List<Expression> correlated, List<ColumnReference> nested, OuterQuery outer)
    {
        // The outer columns named in the terms: a name the subquery's own FROM has is its column (SQL's scoping).
        var references = new List<(int Index, ColumnReference Ast)>();
        foreach (var c in correlated.SelectMany(ColumnsOf).Concat(nested))
        {
            var parts = c.Parts.Select(p => p.Value).ToArray();
            if (inner.Scope.Find(parts) == -1 && outer.Scope.Find(parts) is var at and >= 0 && !references.Exists(r => r.Index == at))
            {
                references.Add((at, c));
            }
        }
        var values = new List<Expr>();
        var names = new List<string>();
        var outerNames = new List<(string? Qualifier, string Name, ArrowType Type)>();
        foreach (var (index, ast) in references)
        {
            var value = outer.Bind(ast);
            values.Add(value);
            names.Add($"__d{names.Count}");
            outerNames.Add((outer.Scope.Columns[index].Qualifier, outer.Scope.Columns[index].Name, value.Type));
        }
        // Held by the aggregate operator, which reserves its memory like any GROUP BY.
        var domain = new AggregatePlan(outer.Plan, values, names, []);
        var binding = new Binding(BindScope.Shadowing(inner.Scope, outerNames)) { AggregatesNotAllowedIn = "WHERE" };
        var bound = new Expr[correlated.Count];
        for (var i = 0; i < bound.Length; i++)
        {
            bound[i] = Bind(correlated[i], binding);
            RequireBoolean(bound[i], correlated[i], "WHERE");
        }
        // The subquery's rows probe; D, the smaller side, is built. Without correlated terms (only a nested subquery
        // reads the outer query) every row meets every D value.
        LogicalPlan rows = new JoinPlan(inner.Plan, domain, JoinType.Cross, [], null);
        if (bound.Length > 0)
        {
            var on = Balanced(bound, 0, bound.Length, BinaryOp.And, correlated[0]);
            var (keys, rest) = Predicates.SplitEquiKeys(on, inner.Scope.Count);
            rows = keys.Count == 0 ? new FilterPlan(rows, on) : new JoinPlan(inner.Plan, domain, JoinType.Inner, keys, rest);
        }
        var scope = BindScope.Concat(inner.Scope, BindScope.Of(domain.Schema, null));
        if (nested.Count > 0)
        {
            // D's columns again under the outer names, found where the subquery's FROM has no such column: a subquery
            // nested in the local terms reads them there.
            var width = rows.Schema.FieldCount;
            var exprs = Enumerable.Range(0, width).Select(i => (Expr)new ColumnExpr(i, rows.Schema[i].Name, rows.Schema[i].Type)).ToList();
            var columnNames = rows.Schema.Fields.Select(f => f.Name).ToList();
            for (var i = 0; i < values.Count; i++)
            {
                exprs.Add(new ColumnExpr(inner.Scope.Count + i, names[i], values[i].Type));
                columnNames.Add($"__outer{i}");
            }
            rows = new ProjectionPlan(rows, exprs, columnNames);
            scope = BindScope.Shadowing(scope, outerNames);
        }
        return new DomainJoin(new Planned(rows, scope), values);
    }

    /// <summary>
    /// A correlated scalar subquery the equality-only plan cannot take (another comparison, GROUP BY, HAVING,
    /// DISTINCT, count inside an expression), rewritten over its domain join J as <c>SELECT __d0, …, value FROM J WHERE
    /// local terms GROUP BY __d0, …</c> and left-joined back on D's columns. Where it aggregates without GROUP BY, a D
    /// value without rows gets the value of the subquery over no rows (count 0, count(*) + 1 is 1, HAVING may leave
    /// none), computed once over an empty input. Otherwise its rows per D value are counted and checked after the join
    /// (<c>$one_row</c>), as the equality plan does.
    /// </summary>
    private CorrelatedSubquery GeneralScalar(ScalarSubquery sq, SelectStatement sub, Planned inner, List<Expression> local, List<Expression> correlated, List<ColumnReference> nested, OuterQuery outer)
    {
        var span = sq.Span;
        if (sub.Projection is not [ExpressionSelectItem item])
        {
            throw Error(sq.Span, "a correlated scalar subquery must select one expression");
        }
        if (sub.DistinctOn is not null)
        {
            throw Error(sq.Span, "DISTINCT ON in a correlated scalar subquery is not supported yet");
        }
        var offset = Count(sub.Offset, "OFFSET") ?? 0;
        var limit = Count(sub.Limit, "LIMIT");
        if (offset != 0 || limit == 0)
        {
            throw Error((sub.Offset ?? sub.Limit)!.Span, "a correlated scalar subquery may not end in OFFSET or LIMIT 0");
        }
        var aggregates = new List<Expression>();
        CollectAggregates(item.Expression, aggregates);
        var aggregating = aggregates.Count > 0 || sub.Having is not null;
        var grouped = sub.GroupBy.Count > 0;
        var joined = JoinDomain(inner, correlated, nested, outer);
        var domainCount = joined.Outer.Count;
        var rows = new PlannedTableSource(joined.Rows, span);
        Identifier Name(string name) => new(name, true, span);
        ColumnReference Column(string name) => new([Name(name)], span);
        Expression? where = null;
        foreach (var t in local)
        {
            where = where is null ? t : new BinaryExpression(BinaryOperator.And, where, t, span);
        }
        var keys = Enumerable.Range(0, domainCount).Select(i => (SelectItem)new ExpressionSelectItem(Column($"__d{i}"), Name($"__d{i}"), span)).ToList();
        var byKeys = Enumerable.Range(1, domainCount).Select(i => (Expression)new IntegerLiteral(i, span)).ToList();
        var count = new FunctionCall(Name("count"), [], false, true, [], span);

        LogicalPlan plan;
        LogicalPlan? empty = null;
        var single = false;
        if (aggregating && !grouped)
        {
            // One row per D value that has rows; the marker tells a joined row from a padded one. HAVING becomes the
            // value's condition: a D value whose rows it rejects is NULL, not the value over no rows.
            var value = sub.Having is null ? item.Expression : new CaseExpression(null, [new WhenClause(sub.Having, item.Expression, span)], null, span);
            var grouping = new SelectStatement([], false, null,
                [.. keys, new ExpressionSelectItem(new BooleanLiteral(true, span), Name("__matched"), span), new ExpressionSelectItem(value, Name("__value"), span)],
                rows, where, byKeys, null, [], null, null, span);
            plan = PlanQuery(grouping).Plan;
            var none = new Planned(new ValuesPlan(inner.Plan.Schema, [], "no rows"), inner.Scope);
            empty = PlanQuery(new SelectStatement([], false, null, [new ExpressionSelectItem(item.Expression, Name("__empty"), span)],
                new PlannedTableSource(none, span), null, [], sub.Having, [], null, null, span)).Plan;
        }
        else if (!grouped && !sub.Distinct)
        {
            // Its rows per D value: the first in its order under LIMIT 1, else the one row (more is an error per outer row).
            var limitOne = limit == 1;
            single = !limitOne;
            var first = new FunctionCall(Name("first_value"), [item.Expression], false, false,
                limitOne ? [.. sub.OrderBy.Select(o => o with { Expression = OrderTarget(o.Expression, item) })] : [], span);
            var grouping = new SelectStatement([], false, null,
                [.. keys, new ExpressionSelectItem(count, Name("__rows"), span), new ExpressionSelectItem(first, Name("__value"), span)],
                rows, where, byKeys, null, [], null, null, span);
            plan = PlanQuery(grouping).Plan;
        }
        else
        {
            if (limit == 1 && sub.OrderBy.Count > 0)
            {
                throw Error(sub.Limit!.Span, "ORDER BY … LIMIT 1 in a correlated scalar subquery with GROUP BY or DISTINCT is not supported yet");
            }
            // The subquery per D value (its GROUP BY extended with D's columns, DISTINCT over them too), then its rows
            // per D value counted: one is its value, more an error for the outer rows that meet them (unless LIMIT 1).
            single = limit != 1;
            var groupBy = sub.GroupBy.Count == 0 ? [] : byKeys.Concat(sub.GroupBy.Select(g => g is IntegerLiteral i ? new IntegerLiteral(i.Value + domainCount, i.Span) : g)).ToList();
            var perValue = PlanQuery(new SelectStatement([], sub.Distinct, null, [.. keys, item], rows, where, groupBy, sub.Having, [], null, null, span)).Plan;
            var renamed = new ProjectionPlan(perValue,
                [.. perValue.Schema.Fields.Select((f, i) => (Expr)new ColumnExpr(i, f.Name, f.Type))],
                [.. names(domainCount), "__value"]);
            var perValueScope = BindScope.Of(renamed.Schema, null);
            var first = new FunctionCall(Name("first_value"), [Column("__value")], false, false, [], span);
            plan = PlanQuery(new SelectStatement([], false, null,
                [.. keys, new ExpressionSelectItem(count, Name("__rows"), span), new ExpressionSelectItem(first, Name("__value"), span)],
                new PlannedTableSource(new Planned(renamed, perValueScope), span), null, byKeys, null, [], null, null, span)).Plan;
        }

        var on = new List<(Expr Outer, Expr Inner)>();
        for (var i = 0; i < domainCount; i++)
        {
            on.AddRange(NullSafeEqual(joined.Outer[i], new ColumnExpr(i, $"__d{i}", plan.Schema[i].Type)));
        }
        return new CorrelatedSubquery(plan, on, Counts: false, single, empty);

        static IEnumerable<string> names(int n) => Enumerable.Range(0, n).Select(i => $"__d{i}");
    }

    /// <summary>
    /// Join keys that hold where <paramref name="left"/> IS NOT DISTINCT FROM <paramref name="right"/>: whether each is
    /// NULL, and each with NULL read as one constant of its type. A hash join's keys never match NULL, and an outer row
    /// whose correlated value is NULL must still meet its domain row.
    /// </summary>
    private static IEnumerable<(Expr Left, Expr Right)> NullSafeEqual(Expr left, Expr right)
    {
        yield return (new IsNullExpr(left, false), new IsNullExpr(right, false));
        yield return (NullAsConstant(left), NullAsConstant(right));
    }

    private static ScalarFunctionExpr NullAsConstant(Expr e)
    {
        object? constant = e.Type.Id switch
        {
            ArrowTypeId.Int64 => 0L,
            ArrowTypeId.UInt64 => 0UL,
            ArrowTypeId.Float64 => 0.0,
            ArrowTypeId.Utf8 => "",
            ArrowTypeId.Boolean => false,
            ArrowTypeId.Timestamp => new TimestampScalar(0),
            _ => null,
        };
        return constant is null
            ? Coalesce(new CastExpr(e, ArrowType.Utf8), new LiteralExpr(""))
            : Coalesce(e, new LiteralExpr(constant, e.Type));
    }

    /// <summary>
    /// The test an EXISTS over a correlated subquery is, when the semi join cannot take the subquery as it is:
    /// LIMIT (n ≥ 1), ORDER BY and DISTINCT dropped (they do not change whether a row exists); LIMIT 0 false; an
    /// aggregate without GROUP BY or HAVING true (one row, always); with GROUP BY or HAVING
    /// <c>(SELECT true … LIMIT 1) IS NOT NULL</c>, a scalar subquery decorrelated over its domain.
    /// </summary>
    private Expression ExistsTest(ExistsExpression exists, SelectStatement sub)
    {
        var span = exists.Span;
        if ((Count(sub.Offset, "OFFSET") ?? 0) != 0)
        {
            throw Error(sub.Offset!.Span, "a correlated EXISTS subquery may not have an OFFSET");
        }
        if (Count(sub.Limit, "LIMIT") == 0)
        {
            return new BooleanLiteral(false, span);
        }
        var aggregating = sub.Having is not null || sub.Projection.Any(p => p is ExpressionSelectItem { Expression: var e } && HoldsAggregate(e));
        if (!aggregating && sub.GroupBy.Count == 0)
        {
            return exists with { Query = sub with { Limit = null, Offset = null, OrderBy = [], Distinct = false, DistinctOn = null } };
        }
        if (sub.GroupBy.Count == 0 && sub.Having is null)
        {
            return new BooleanLiteral(true, span);
        }
        // GROUP BY positions named the select items, which the test replaces.
        var groupBy = sub.GroupBy.Select(g => g is IntegerLiteral i && i.Value >= 1 && i.Value <= sub.Projection.Count && sub.Projection[(int)i.Value - 1] is ExpressionSelectItem e ? e.Expression : g).ToList();
        var test = sub with
        {
            Projection = [new ExpressionSelectItem(new BooleanLiteral(true, span), new Identifier("__exists", true, span), span)],
            GroupBy = groupBy,
            OrderBy = [],
            Limit = new IntegerLiteral(1, span),
            Offset = null,
            Distinct = false,
            DistinctOn = null,
        };
        return new IsNullExpression(new ScalarSubquery(test, span), true, span);
    }

    /// <summary>
    /// A WHERE term testing a correlated subquery that the semi join cannot take as it is, in a form it or the scalar
    /// decorrelation can: EXISTS through <see cref="ExistsTest"/>; <c>x IN (SELECT e FROM … WHERE …)</c> as
    /// <c>EXISTS (SELECT 1 FROM … WHERE … AND e = x)</c>; NOT IN as NOT EXISTS of a row that equals x or might (e or x
    /// NULL), SQL's NOT IN. Other terms are returned as they are.
    /// </summary>
    private Expression CorrelatedWhereTerm(Expression term, BindScope outer)
    {
        var negated = term is UnaryExpression { Operator: UnaryOperator.Not, Operand: ExistsExpression or InSubqueryExpression };
        var test = negated ? ((UnaryExpression)term).Operand : term;
        Expression rewritten;
        switch (test)
        {
            case ExistsExpression { Query: SelectStatement { From: not null, With.Count: 0, Where: not null } sub } exists when Correlated(sub, outer):
                if (sub.GroupBy.Count == 0 && sub.Having is null && sub.Limit is null && sub.Offset is null
                    && !sub.Projection.Any(p => p is ExpressionSelectItem { Expression: var e } && HoldsAggregate(e)))
                {
                    return term;   // the semi join takes it as it is
                }
                rewritten = ExistsTest(exists, sub);
                break;
            case InSubqueryExpression { Query: SelectStatement { From: not null, With.Count: 0, Where: not null } sub } ins when Correlated(sub, outer):
            {
                var span = ins.Span;
                var item = CorrelatedInItem(ins, sub);
                Expression match = new BinaryExpression(BinaryOperator.Equal, item.Expression, ins.Operand, span);
                var not = negated ^ ins.Negated;
                if (not)
                {
                    match = new BinaryExpression(BinaryOperator.Or, match,
                        new BinaryExpression(BinaryOperator.Or, new IsNullExpression(item.Expression, false, span), new IsNullExpression(ins.Operand, false, span), span), span);
                }
                var exists = new ExistsExpression(sub with
                {
                    Projection = [new ExpressionSelectItem(new IntegerLiteral(1, span), null, span)],
                    Where = new BinaryExpression(BinaryOperator.And, sub.Where!, match, span),
                    OrderBy = [],
                    Distinct = false,
                }, span);
                return not ? new UnaryExpression(UnaryOperator.Not, exists, span) : exists;
            }
            default:
                return term;
        }
        return negated ? new UnaryExpression(UnaryOperator.Not, rewritten, term.Span) : rewritten;
    }

    /// <summary>The select item of a correlated IN subquery, refused where the rewrites cannot take it: a set that
    /// aggregates, groups or limits, or a left side naming a column the subquery has too (it would read the subquery's).</summary>
    private ExpressionSelectItem CorrelatedInItem(InSubqueryExpression ins, SelectStatement sub)
    {
        if (sub.Projection is not [ExpressionSelectItem item] || sub.GroupBy.Count > 0 || sub.Having is not null || sub.Limit is not null
            || sub.Offset is not null || sub.DistinctOn is not null || HoldsAggregate(item.Expression))
        {
            throw Error(ins.Query.Span, "a correlated IN subquery must select one expression per row (no aggregate, GROUP BY, HAVING or LIMIT)");
        }
        var from = PlanFrom(sub.From!).Scope;
        var shadowed = ColumnsOf(ins.Operand).FirstOrDefault(c => from.Find([.. c.Parts.Select(p => p.Value)]) != -1);
        return shadowed is null
            ? item
            : throw Error(shadowed.Span, $"'{SqlPrinter.Print(shadowed)}' is also a column of the correlated IN subquery: qualify it with the outer query's table");
    }

    /// <summary>
    /// Refuses a scalar subquery whose select list or HAVING reads an outer column: only its WHERE terms are
    /// decorrelated (the column would otherwise be reported as unknown, which it is not).
    /// </summary>
    private void RejectOuterColumnsOutsideWhere(SelectStatement sub, BindScope inner, BindScope outer)
    {
        var read = sub.Projection.OfType<ExpressionSelectItem>().SelectMany(p => ColumnsOf(p.Expression));
        if (sub.Having is not null)
        {
            read = read.Concat(ColumnsOf(sub.Having));
        }
        var aliases = sub.Projection.OfType<ExpressionSelectItem>().Where(p => p.Alias is not null).Select(p => p.Alias!.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var c in read)
        {
            var parts = c.Parts.Select(p => p.Value).ToArray();
            if (inner.Find(parts) == -1 && outer.Find(parts) >= 0 && !(parts.Length == 1 && aliases.Contains(parts[0])))
            {
                throw Error(c.Span, $"'{SqlPrinter.Print(c)}' is a column of the outer query: a correlated subquery may read outer columns only in its WHERE");
            }
        }
    }

    /// <summary>Whether a subquery's WHERE reads a column only the outer query has.</summary>
    private bool Correlated(SelectStatement sub, BindScope outer)
    {
        var inner = PlanFrom(sub.From!).Scope;
        var terms = new List<Expression>();
        Flatten(sub.Where!, BinaryOperator.And, terms);
        return terms.Exists(t => ColumnsOf(t).Any(c =>
        {
            var parts = c.Parts.Select(p => p.Value).ToArray();
            return inner.Find(parts) == -1 && outer.Find(parts) >= 0;
        }));
    }

    /// <summary>
    /// The columns that the subqueries an expression holds read from outside themselves: names none of their own
    /// FROMs has (at any depth), what a correlated subquery two levels down reads from the query around its parent.
    /// </summary>
    private List<ColumnReference> FreeColumnsOfSubqueries(Expression e)
    {
        var found = new List<ColumnReference>();
        var stack = new Stack<Expression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            var query = next switch
            {
                ScalarSubquery s => s.Query,
                ExistsExpression x => x.Query,
                InSubqueryExpression i => i.Query,
                _ => null,
            };
            if (query is SelectStatement { From: not null, With.Count: 0 } select)
            {
                var scope = PlanFrom(select.From).Scope;
                var read = select.Projection.OfType<ExpressionSelectItem>().Select(p => p.Expression)
                    .Concat(select.Where is null ? [] : [select.Where])
                    .Concat(select.Having is null ? [] : [select.Having])
                    .Concat(select.GroupBy);
                foreach (var part in read)
                {
                    found.AddRange(ColumnsOf(part).Concat(FreeColumnsOfSubqueries(part)).Where(c => scope.Find([.. c.Parts.Select(p => p.Value)]) == -1));
                }
            }
            foreach (var child in Children(next))
            {
                stack.Push(child);
            }
        }
        return found;
    }

    /// <summary>The column references of an expression, not looking into subqueries.</summary>
    private static List<ColumnReference> ColumnsOf(Expression e)
    {
        var found = new List<ColumnReference>();
        var stack = new Stack<Expression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (next is ColumnReference c)
            {
                found.Add(c);
                continue;
            }
            foreach (var child in Children(next))
            {
                stack.Push(child);
            }
        }
        return found;
    }
}
