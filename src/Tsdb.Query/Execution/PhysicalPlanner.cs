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
            ProjectionPlan p => new ProjectionExec(Create(p.Input), p.Exprs, p.Schema),
            AggregatePlan a => new HashAggregateExec(Create(a.Input), a.Groups, a.Aggregates, a.Schema),
            SortPlan s => new SortExec(Create(s.Input), s.Keys, s.Fetch),
            LimitPlan l => new LimitExec(Create(l.Input), l.Skip, l.Fetch),
            JoinPlan j => new JoinExec(Create(j.Left), Create(j.Right), j.Type, j.On, j.Filter, j.NullAwareAnti, j.Schema),
            UnionPlan u => new UnionExec([.. u.Inputs.Select(Create)], u.Schema),
            ValuesPlan v => new ValuesExec(v.Schema, v.Batches, v.Name),
            DistinctOnPlan d => new DistinctOnExec(Create(d.Input), d.On),
            SingleRowPlan s => new SingleRowExec(Create(s.Input)),
            WindowPlan w => new WindowExec(Create(w.Input), w.PartitionBy, w.OrderBy, w.Functions, w.Schema),
            _ => throw new NotSupportedException($"no operator for {plan.GetType().Name}"),
        };
    }
}
