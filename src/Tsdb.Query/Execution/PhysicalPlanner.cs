using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>Turns an optimised logical plan into operators, one per node.</summary>
public static class PhysicalPlanner
{
    public static ExecutionPlan Create(LogicalPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan switch
        {
            ScanPlan s => new ScanExec(s.Database, s.Table, s.Schema, s.Filter, s.Fetch),
            FilterPlan f => new FilterExec(Create(f.Input), f.Predicate),
            ProjectionPlan p when IsIdentity(p) => Create(p.Input),
            ProjectionPlan p => new ProjectionExec(Create(p.Input), p.Exprs, p.Schema),
            AggregatePlan a => new HashAggregateExec(Create(a.Input), a.Groups, a.Aggregates, a.Schema),
            SortPlan s => new SortExec(Create(s.Input), s.Keys, s.Fetch),
            LimitPlan l => new LimitExec(Create(l.Input), l.Skip, l.Fetch),
            JoinPlan j => new JoinExec(Create(j.Left), Create(j.Right), j.Type, j.On, j.Filter, j.NullAwareAnti, j.Schema),
            UnionPlan u => new UnionExec([.. u.Inputs.Select(Create)], u.Schema),
            ValuesPlan v => new ValuesExec(v.Schema, v.Batches, v.Name),
            // Each batch's first row per key (in ORDER BY order) is all the sort below DISTINCT ON needs to see.
            DistinctOnPlan { Input: SortPlan { Fetch: null } sort } d => new DistinctOnExec(
                new SortExec(FirstPerKey(sort.Input, d.On, sort.Keys, 1), sort.Keys, null), d.On),
            DistinctOnPlan d => new DistinctOnExec(Create(d.Input), d.On),
            SingleRowPlan s => new SingleRowExec(Create(s.Input)),
            GapFillPlan g => GapFill(g),
            WindowPlan w => new WindowExec(Create(w.Input), w.PartitionBy, w.OrderBy, w.Functions, w.Schema),
            // A per-series LIMIT alone (InfluxQL's lastpoint: GROUP BY tag ORDER BY time DESC LIMIT 1) needs only each
            // batch's first OFFSET + LIMIT rows per series.
            SeriesTransformPlan { Input: SortPlan { Fetch: null } sort } s when OnlyLimitsSeries(s, sort) is { } keep => new SeriesTransformExec(
                new SortExec(FirstPerKey(sort.Input, [.. s.SeriesKeys.Select(k => (Expr)new ColumnExpr(k, sort.Schema[k].Name, sort.Schema[k].Type))], sort.Keys, keep), sort.Keys, null),
                s.SeriesKeys, s.Time, s.Transforms, s.RequireAnyOf, s.Offset, s.Limit, s.SeriesOffset, s.SeriesLimit, s.EmitFrom),
            SeriesTransformPlan s => new SeriesTransformExec(Create(s.Input), s.SeriesKeys, s.Time, s.Transforms, s.RequireAnyOf, s.Offset, s.Limit, s.SeriesOffset, s.SeriesLimit, s.EmitFrom),
            _ => throw new NotSupportedException($"no operator for {plan.GetType().Name}"),
        };
    }

    /// <summary>How many rows per series a series walk that only limits (no functions, no null-row dropping) keeps, when its input is sorted by the series first.</summary>
    private static int? OnlyLimitsSeries(SeriesTransformPlan s, SortPlan sort)
    {
        const int MaxKeep = 1024;   // beyond this a batch is rarely reduced much; the sort handles it
        if (s.Limit is not { } limit || s.Offset + limit > MaxKeep || s.RequireAnyOf.Count > 0 || s.EmitFrom is not null
            || s.Transforms.Any(t => t.Function != SeriesFunction.None) || sort.Keys.Count < s.SeriesKeys.Count)
        {
            return null;
        }
        var leading = sort.Keys.Take(s.SeriesKeys.Count).Select(k => k.Expr is ColumnExpr c ? c.Index : -1).ToHashSet();
        return leading.SetEquals(s.SeriesKeys) ? (int)(s.Offset + limit) : null;
    }

    /// <summary>
    /// The first <paramref name="keep"/> rows per key of each batch, reduced as low as possible: below projections
    /// (each row is projected on its own, so reducing first and projecting fewer rows gives the same rows) with the
    /// keys and order rewritten over the projections' inputs, and so into the scan's tasks.
    /// </summary>
    private static ExecutionPlan FirstPerKey(LogicalPlan input, IReadOnlyList<Expr> on, IReadOnlyList<SortExpr> order, int keep)
    {
        var projections = new Stack<ProjectionPlan>();
        while (input is ProjectionPlan p && !p.Exprs.Any(e => e.Walk().Any(x => x is ScalarFunctionExpr { Function.IsVolatile: true })))
        {
            on = [.. on.Select(e => Below(e, p))];
            order = [.. order.Select(o => o with { Expr = Below(o.Expr, p) })];
            projections.Push(p);
            input = p.Input;
        }
        var exec = (ExecutionPlan)new FirstPerKeyExec(Create(input), on, order, keep);
        while (projections.TryPop(out var p))
        {
            exec = IsIdentity(p) ? exec : new ProjectionExec(exec, p.Exprs, p.Schema);
        }
        return exec;

        static Expr Below(Expr e, ProjectionPlan p) => e.Transform(x => x is ColumnExpr c ? p.Exprs[c.Index] : null);
    }

    /// <summary>A projection that passes its input through unchanged (same columns, order and names) needs no operator.</summary>
    private static bool IsIdentity(ProjectionPlan p)
    {
        var input = p.Input.Schema;
        if (p.Exprs.Count != input.FieldCount)
        {
            return false;
        }
        for (var i = 0; i < p.Exprs.Count; i++)
        {
            if (p.Exprs[i] is not ColumnExpr c || c.Index != i || p.Names[i] != input[i].Name)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Gap filling walks each series in time order: its input is sorted as <see cref="GapFillPlan.Order"/> says.</summary>
    private static GapFillExec GapFill(GapFillPlan g) =>
        new(new SortExec(Create(g.Input), g.Order, null), g.Time, g.Series, g.Fills, g.FirstBin, g.LastBin, g.Stride);
}
