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
                new SortExec(new FirstPerKeyExec(Create(sort.Input), d.On, sort.Keys), sort.Keys, null), d.On),
            DistinctOnPlan d => new DistinctOnExec(Create(d.Input), d.On),
            SingleRowPlan s => new SingleRowExec(Create(s.Input)),
            GapFillPlan g => GapFill(g),
            WindowPlan w => new WindowExec(Create(w.Input), w.PartitionBy, w.OrderBy, w.Functions, w.Schema),
            SeriesTransformPlan s => new SeriesTransformExec(Create(s.Input), s.SeriesKeys, s.Time, s.Transforms, s.RequireAnyOf, s.Offset, s.Limit, s.SeriesOffset, s.SeriesLimit, s.EmitFrom),
            _ => throw new NotSupportedException($"no operator for {plan.GetType().Name}"),
        };
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

    /// <summary>Gap filling walks each series in time order: its input is sorted by the series keys, then time (nulls first, as IOx).</summary>
    private static GapFillExec GapFill(GapFillPlan g)
    {
        var keys = new List<SortExpr>();
        foreach (var s in g.Series)
        {
            keys.Add(new SortExpr(new ColumnExpr(s, g.Input.Schema[s].Name, g.Input.Schema[s].Type), false, false));
        }
        keys.Add(new SortExpr(new ColumnExpr(g.Time, g.Input.Schema[g.Time].Name, g.Input.Schema[g.Time].Type), false, true));
        return new GapFillExec(new SortExec(Create(g.Input), keys, null), g.Time, g.Series, g.Fills, g.FirstBin, g.LastBin, g.Stride);
    }
}
