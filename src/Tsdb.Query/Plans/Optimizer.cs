using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>
/// Rewrites a logical plan into one that reads less: filters pushed toward the scans (through projections, sorts,
/// unions, aggregates on their group keys and the preserved side of joins) and merged into them, only the columns
/// the plan uses read, and LIMIT pushed into scans where no row can be dropped after it.
/// </summary>
public static class Optimizer
{
    public static LogicalPlan Optimize(LogicalPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan = PushFilters(plan);
        plan = PushLimits(plan, null);
        var (pruned, map) = Prune(plan, ColumnSet.Range(plan.Schema.FieldCount));
        if (!IsIdentity(map, plan.Schema.FieldCount) || pruned.Schema.FieldCount != plan.Schema.FieldCount)
        {
            pruned = new ProjectionPlan(pruned, [.. Enumerable.Range(0, plan.Schema.FieldCount).Select(i => Column(pruned.Schema, map[i]))], [.. plan.Schema.Fields.Select(f => f.Name)]);
        }
        return DropSatisfiedSorts(pruned);
    }

    // ---- sorts ----

    /// <summary>
    /// A sort whose input already comes in its order (<see cref="PlanOrder.Satisfies"/>: a stable sort would move no
    /// row) is dropped; one that keeps the first rows becomes a limit.
    /// </summary>
    private static LogicalPlan DropSatisfiedSorts(LogicalPlan plan) =>
        plan.Transform(node => node is SortPlan s && PlanOrder.Satisfies(s.Input, s.Keys)
            ? s.Fetch is { } fetch ? new LimitPlan(s.Input, 0, fetch) : s.Input
            : null);

    // ---- filters ----

    private static LogicalPlan PushFilters(LogicalPlan plan) => plan switch
    {
        FilterPlan f => PushFilter(PushFilters(f.Input), [.. Conjuncts(f.Predicate)]),
        _ => WithInputs(plan, PushFilters),
    };

    /// <summary>The node over its rewritten inputs; the node itself when no input changed (a new node builds its schema again).</summary>
    private static LogicalPlan WithInputs(LogicalPlan plan, Func<LogicalPlan, LogicalPlan> rewrite)
    {
        var inputs = plan.Inputs;
        LogicalPlan[]? changed = null;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = rewrite(inputs[i]);
            if (!ReferenceEquals(input, inputs[i]))
            {
                changed ??= [.. inputs];
                changed[i] = input;
            }
        }
        return changed is null ? plan : plan.WithInputs(changed);
    }

    /// <summary><paramref name="input"/> (already optimised) with <paramref name="terms"/> applied as low as they can go.</summary>
    private static LogicalPlan PushFilter(LogicalPlan input, List<Expr> terms)
    {
        if (terms.Count == 0)
        {
            return input;
        }
        switch (input)
        {
            case ScanPlan scan:
                return scan.With(filter: And([.. (scan.Filter is null ? [] : Conjuncts(scan.Filter)).Concat(terms).Select(t => Predicates.AsInList(t) ?? t)]), clearFilter: true);
            case FilterPlan f:
                return PushFilter(f.Input, [.. Conjuncts(f.Predicate), .. terms]);
            case ProjectionPlan p:
            {
                var below = new List<Expr>();
                var above = new List<Expr>();
                foreach (var t in terms)
                {
                    // A term over columns the projection computes cheaply and deterministically moves below it.
                    if (Substitute(t, p.Exprs) is { } moved)
                    {
                        below.Add(moved);
                    }
                    else
                    {
                        above.Add(t);
                    }
                }
                var result = below.Count == 0 ? input : p.WithInputs([PushFilter(p.Input, below)]);
                return Keep(result, above);
            }
            case SortPlan { Fetch: null } s:
                return s.WithInputs([PushFilter(s.Input, terms)]);
            case UnionPlan u:
                return u.WithInputs([.. u.Inputs.Select(i => PushFilter(i, [.. terms]))]);
            case AggregatePlan a:
            {
                var below = new List<Expr>();
                var above = new List<Expr>();
                foreach (var t in terms)
                {
                    if (Columns(t).All(c => c < a.Groups.Count) && Substitute(t, a.Groups) is { } moved)
                    {
                        below.Add(moved);
                    }
                    else
                    {
                        above.Add(t);
                    }
                }
                var result = below.Count == 0 ? input : a.WithInputs([PushFilter(a.Input, below)]);
                return Keep(result, above);
            }
            case GapFillPlan g:
            {
                // Each series is filled from its own rows only, so a term over series keys alone may filter before filling.
                var below = new List<Expr>();
                var above = new List<Expr>();
                foreach (var t in terms)
                {
                    (Columns(t).All(g.Series.Contains) ? below : above).Add(t);
                }
                var result = below.Count == 0 ? input : g.WithInputs([PushFilter(g.Input, below)]);
                return Keep(result, above);
            }
            case JoinPlan j:
            {
                var leftCount = j.Left.Schema.FieldCount;
                var toLeft = new List<Expr>();
                var toRight = new List<Expr>();
                var above = new List<Expr>();
                var rightPushable = j.Type is JoinType.Inner or JoinType.Cross or JoinType.Right;
                var leftPushable = j.Type is JoinType.Inner or JoinType.Cross or JoinType.Left or JoinType.LeftSemi or JoinType.LeftAnti;
                foreach (var t in terms)
                {
                    var side = Predicates.Side(t, leftCount);
                    if (side == 1 && leftPushable)
                    {
                        toLeft.Add(t);
                    }
                    else if (side == 2 && rightPushable)
                    {
                        toRight.Add(Predicates.Rebase(t, -leftCount));
                    }
                    else
                    {
                        above.Add(t);
                    }
                }
                LogicalPlan result = j;
                if (toLeft.Count > 0 || toRight.Count > 0)
                {
                    result = j.WithInputs([PushFilter(j.Left, toLeft), PushFilter(j.Right, toRight)]);
                }
                // A cross join with an equality between its sides becomes a hash join.
                if (result is JoinPlan { Type: JoinType.Cross } cross && above.Count > 0)
                {
                    var (keys, rest) = Predicates.SplitEquiKeys(And(above)!, leftCount);
                    if (keys.Count > 0)
                    {
                        return new JoinPlan(cross.Left, cross.Right, JoinType.Inner, keys, rest);
                    }
                }
                return Keep(result, above);
            }
            default:
                return Keep(input, terms);
        }
    }

    private static LogicalPlan Keep(LogicalPlan plan, List<Expr> terms) => terms.Count == 0 ? plan : new FilterPlan(plan, And(terms)!);

    /// <summary>The term over <paramref name="exprs"/>' inputs instead of their outputs, or null when a column it reads is not a plain column or constant below.</summary>
    private static Expr? Substitute(Expr term, IReadOnlyList<Expr> exprs)
    {
        foreach (var c in Columns(term))
        {
            if (c >= exprs.Count || exprs[c] is not (ColumnExpr or LiteralExpr or ScalarFunctionExpr { IsConstant: false } or BinaryExpr or CastExpr))
            {
                return null;
            }
            if (exprs[c].Walk().Any(e => e is ScalarFunctionExpr { Function.IsVolatile: true }))
            {
                return null;
            }
        }
        return term.Transform(e => e is ColumnExpr c ? exprs[c.Index] : null);
    }

    // ---- limits ----

    private static LogicalPlan PushLimits(LogicalPlan plan, long? limit)
    {
        switch (plan)
        {
            case LimitPlan l:
            {
                var rows = l.Fetch is { } f ? f + l.Skip : (long?)null;
                return WithInputs(l, i => PushLimits(i, rows));
            }
            case ProjectionPlan p:
                return WithInputs(p, i => PushLimits(i, limit));
            case ScanPlan s when limit is { } n && (s.Fetch is null || s.Fetch > n):
                return s.With(fetch: n);
            case UnionPlan u when limit is not null:
                return WithInputs(u, i => PushLimits(i, limit));
            default:
                // A sort, like any other node, needs all of its input's rows.
                return WithInputs(plan, i => PushLimits(i, null));
        }
    }

    // ---- columns ----

    /// <summary>
    /// The plan reading only what <paramref name="required"/> (output positions) needs, and where each old output
    /// position is now (-1 when dropped).
    /// </summary>
    private static (LogicalPlan Plan, int[] Map) Prune(LogicalPlan plan, ColumnSet required)
    {
        switch (plan)
        {
            case ScanPlan scan:
            {
                var need = required.Copy();
                if (scan.Filter is not null)
                {
                    need.AddColumnsOf(scan.Filter);
                }
                if (need.Count == 0)
                {
                    // No column needed (count(*)): keep time, so batches still carry their row counts.
                    var time = -1;
                    for (var i = 0; i < scan.Schema.FieldCount; i++)
                    {
                        if (scan.Schema[i].Name == "time")
                        {
                            time = i;
                        }
                    }
                    need.Add(time >= 0 ? time : 0);
                }
                if (need.Count == scan.Schema.FieldCount)
                {
                    return (scan, Identity(scan.Schema.FieldCount));
                }
                var map = Dropped(scan.Schema.FieldCount);
                var projection = new List<int>();
                foreach (var i in need)
                {
                    map[i] = projection.Count;
                    projection.Add(scan.Projection[i]);
                }
                return (scan.With(projection: projection, filter: scan.Filter is null ? null : Remap(scan.Filter, map), clearFilter: true), map);
            }
            case FilterPlan f:
            {
                var need = required.Copy();
                need.AddColumnsOf(f.Predicate);
                var (input, map) = Prune(f.Input, need);
                return (Unchanged(f.Input, input, map) ? f : new FilterPlan(input, Remap(f.Predicate, map)), map);
            }
            case ProjectionPlan p:
            {
                var need = new ColumnSet();
                var map = Dropped(p.Exprs.Count);
                var kept = new List<int>();
                foreach (var i in required)
                {
                    map[i] = kept.Count;
                    kept.Add(i);
                    need.AddColumnsOf(p.Exprs[i]);
                }
                var (input, inner) = Prune(p.Input, need);
                return (kept.Count == p.Exprs.Count && Unchanged(p.Input, input, inner) ? p
                    : new ProjectionPlan(input, [.. kept.Select(i => Remap(p.Exprs[i], inner))], [.. kept.Select(i => p.Names[i])]), map);
            }
            case AggregatePlan a:
            {
                var need = new ColumnSet();
                foreach (var g in a.Groups)
                {
                    need.AddColumnsOf(g);
                }
                var keptCalls = new List<int>();
                var map = Dropped(a.Schema.FieldCount);
                for (var i = 0; i < a.Groups.Count; i++)
                {
                    map[i] = i;
                }
                for (var c = 0; c < a.Aggregates.Count; c++)
                {
                    if (!required.Contains(a.Groups.Count + c))
                    {
                        continue;
                    }
                    map[a.Groups.Count + c] = a.Groups.Count + keptCalls.Count;
                    keptCalls.Add(c);
                    foreach (var arg in a.Aggregates[c].Arguments)
                    {
                        need.AddColumnsOf(arg);
                    }
                    if (a.Aggregates[c].Filter is { } flt)
                    {
                        need.AddColumnsOf(flt);
                    }
                }
                var (input, inner) = Prune(a.Input, need);
                if (keptCalls.Count == a.Aggregates.Count && Unchanged(a.Input, input, inner))
                {
                    return (a, map);
                }
                var calls = keptCalls.Select(c =>
                {
                    var call = a.Aggregates[c];
                    return new AggregateCall(call.Function, [.. call.Arguments.Select(e => Remap(e, inner))], call.Options,
                        call.Filter is null ? null : Remap(call.Filter, inner), call.Type, call.Name);
                }).ToList();
                return (new AggregatePlan(input, [.. a.Groups.Select(g => Remap(g, inner))], a.GroupNames, calls), map);
            }
            case SortPlan s:
            {
                var need = required.Copy();
                foreach (var k in s.Keys)
                {
                    need.AddColumnsOf(k.Expr);
                }
                var (input, map) = Prune(s.Input, need);
                return (Unchanged(s.Input, input, map) ? s : new SortPlan(input, [.. s.Keys.Select(k => k with { Expr = Remap(k.Expr, map) })], s.Fetch), map);
            }
            case DistinctOnPlan d:
            {
                var need = required.Copy();
                foreach (var k in d.On)
                {
                    need.AddColumnsOf(k);
                }
                var (input, map) = Prune(d.Input, need);
                return (new DistinctOnPlan(input, [.. d.On.Select(k => Remap(k, map))]), map);
            }
            case GapFillPlan g:
            {
                // Time and series keys shape the output rows whether or not they are shown; a value column no one reads goes, with its fill.
                var need = required.Copy();
                need.Add(g.Time);
                foreach (var c in g.Series)
                {
                    need.Add(c);
                }
                var (input, map) = Prune(g.Input, need);
                if (Unchanged(g.Input, input, map))
                {
                    return (g, map);
                }
                var fills = g.Fills.Where(f => map[f.Column] >= 0).Select(f => f with { Column = map[f.Column] }).ToList();
                return (new GapFillPlan(input, map[g.Time], [.. g.Series.Select(c => map[c])], fills, g.FirstBin, g.LastBin, g.Stride), map);
            }
            case WindowPlan w:
            {
                // Input columns pass through; a function is kept only when its column is read above.
                var width = w.Input.Schema.FieldCount;
                var need = required.Below(width);
                foreach (var p in w.PartitionBy)
                {
                    need.AddColumnsOf(p);
                }
                foreach (var o in w.OrderBy)
                {
                    need.AddColumnsOf(o.Expr);
                }
                var kept = new List<int>();
                for (var f = 0; f < w.Functions.Count; f++)
                {
                    if (required.Contains(width + f))
                    {
                        kept.Add(f);
                        foreach (var a in w.Functions[f].Arguments)
                        {
                            need.AddColumnsOf(a);
                        }
                    }
                }
                if (kept.Count == 0)
                {
                    // No window column is read: the rows are the input's (only their order would differ).
                    var (bare, bareMap) = Prune(w.Input, required.Below(width));
                    var full = Dropped(w.Schema.FieldCount);
                    bareMap.CopyTo(full, 0);
                    return (bare, full);
                }
                var (input, inner) = Prune(w.Input, need);
                var map = Dropped(w.Schema.FieldCount);
                for (var i = 0; i < width; i++)
                {
                    map[i] = inner[i];
                }
                var newWidth = input.Schema.FieldCount;
                for (var k = 0; k < kept.Count; k++)
                {
                    map[width + kept[k]] = newWidth + k;
                }
                var functions = kept.Select(f => w.Functions[f].WithArguments([.. w.Functions[f].Arguments.Select(a => Remap(a, inner))])).ToList();
                return (new WindowPlan(input, [.. w.PartitionBy.Select(p => Remap(p, inner))], [.. w.OrderBy.Select(o => o with { Expr = Remap(o.Expr, inner) })], functions), map);
            }
            case LimitPlan l:
            {
                var (input, map) = Prune(l.Input, required);
                return (ReferenceEquals(input, l.Input) ? l : new LimitPlan(input, l.Skip, l.Fetch), map);
            }
            case SingleRowPlan s:
            {
                var (input, map) = Prune(s.Input, required);
                return (ReferenceEquals(input, s.Input) ? s : new SingleRowPlan(input), map);
            }
            case JoinPlan j:
            {
                var leftCount = j.Left.Schema.FieldCount;
                var needLeft = new ColumnSet();
                var needRight = new ColumnSet();
                void Need(Expr e, bool joined)
                {
                    foreach (var c in Columns(e))
                    {
                        if (!joined || c < leftCount)
                        {
                            needLeft.Add(c);
                        }
                        else
                        {
                            needRight.Add(c - leftCount);
                        }
                    }
                }
                foreach (var r in required)
                {
                    if (r < leftCount)
                    {
                        needLeft.Add(r);
                    }
                    else
                    {
                        needRight.Add(r - leftCount);
                    }
                }
                foreach (var (l, r) in j.On)
                {
                    Need(l, false);
                    needRight.AddColumnsOf(r);
                }
                if (j.Filter is not null)
                {
                    Need(j.Filter, true);
                }
                var (left, leftMap) = Prune(j.Left, needLeft);
                var (right, rightMap) = Prune(j.Right, needRight);
                var newLeftCount = left.Schema.FieldCount;
                var joinedMap = new int[leftCount + j.Right.Schema.FieldCount];
                for (var i = 0; i < leftCount; i++)
                {
                    joinedMap[i] = leftMap[i];
                }
                for (var i = 0; i < j.Right.Schema.FieldCount; i++)
                {
                    joinedMap[leftCount + i] = rightMap[i] < 0 ? -1 : newLeftCount + rightMap[i];
                }
                var on = j.On.Select(p => (Remap(p.Left, leftMap), Remap(p.Right, rightMap))).ToList();
                var joined = new JoinPlan(left, right, j.Type, on, j.Filter is null ? null : Remap(j.Filter, joinedMap), j.NullAwareAnti);
                return (joined, j.Type is JoinType.LeftSemi or JoinType.LeftAnti ? leftMap : joinedMap);
            }
            case UnionPlan u:
            {
                // Every input keeps the same positions, so their pruned outputs line up.
                var inputs = new List<LogicalPlan>();
                foreach (var input in u.Inputs)
                {
                    var (pruned, map) = Prune(input, required);
                    inputs.Add(new ProjectionPlan(pruned, [.. required.Select(r => Column(pruned.Schema, map[r]))], [.. required.Select(r => u.Schema[r].Name)]));
                }
                var unionMap = Dropped(u.Schema.FieldCount);
                var at = 0;
                foreach (var r in required)
                {
                    unionMap[r] = at++;
                }
                return (new UnionPlan(inputs, new Schema(required.Select(r => u.Schema[r]))), unionMap);
            }
            case SeriesTransformPlan st:
            {
                // It reads every column it passes on; prune below it only.
                var (input, inputMap) = Prune(st.Input, ColumnSet.Range(st.Input.Schema.FieldCount));
                return IsIdentity(inputMap, st.Input.Schema.FieldCount) && input.Schema.FieldCount == st.Input.Schema.FieldCount
                    ? (st.WithInputs([input]), Identity(st.Schema.FieldCount))
                    : (plan, Identity(plan.Schema.FieldCount));
            }
            default:
                return (plan, Identity(plan.Schema.FieldCount));
        }
    }

    private static ColumnExpr Column(Schema schema, int index) => new(index, schema[index].Name, schema[index].Type);

    private static int[] Identity(int n) => [.. Enumerable.Range(0, n)];

    private static int[] Dropped(int n)
    {
        var map = new int[n];
        map.AsSpan().Fill(-1);
        return map;
    }

    private static bool IsIdentity(int[] map, int n)
    {
        for (var i = 0; i < n; i++)
        {
            if (map[i] != i)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether pruning below a node left its input as it was, every column where it stood: the node can stay.</summary>
    private static bool Unchanged(LogicalPlan before, LogicalPlan after, int[] map) =>
        ReferenceEquals(before, after) && IsIdentity(map, map.Length);

    private static Expr Remap(Expr e, int[] map) => IsIdentity(map, map.Length) ? e :
        e.Transform(n => n is ColumnExpr c
            ? (map[c.Index] >= 0 ? new ColumnExpr(map[c.Index], c.Name, c.Type) { Location = c.Location } : throw new InvalidOperationException($"column {c.Name} was pruned but is still read"))
            : null);

    private static IEnumerable<int> Columns(Expr e)
    {
        foreach (var n in e.Walk())
        {
            if (n is ColumnExpr c)
            {
                yield return c.Index;
            }
        }
    }

    private static IEnumerable<Expr> Conjuncts(Expr e) => Predicates.Conjuncts(e);

    private static Expr? And(List<Expr> terms) => Predicates.And(terms);
}
