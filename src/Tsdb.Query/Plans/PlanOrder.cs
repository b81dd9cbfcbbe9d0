using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>
/// What a plan's output is known to be ordered by, which of its columns hold one value, and which are never null: the
/// facts that let the optimizer drop a sort its input already satisfies (InfluxQL's final sort by measurement and time
/// over one measurement's gap-filled intervals, which come sorted by time).
/// </summary>
public static class PlanOrder
{
    /// <summary>One key of a known order: an output column, its direction and where its nulls go.</summary>
    public readonly record struct Key(int Column, bool Descending, bool NullsFirst);

    /// <summary>The keys <paramref name="plan"/>'s rows are known to be sorted by, most significant first (none when unknown).</summary>
    public static IReadOnlyList<Key> Of(LogicalPlan plan)
    {
        switch (plan)
        {
            case SortPlan s:
                return Columns(s.Keys);
            case GapFillPlan g:
                return Columns(g.Order);
            case FilterPlan or LimitPlan:
                return Of(plan.Inputs[0]);
            case ProjectionPlan p:
            {
                // Each key of the input's order, for as long as the projection passes its column on.
                var keys = new List<Key>();
                foreach (var key in Of(p.Input))
                {
                    var at = -1;
                    for (var i = 0; i < p.Exprs.Count && at < 0; i++)
                    {
                        if (p.Exprs[i] is ColumnExpr c && c.Index == key.Column)
                        {
                            at = i;
                        }
                    }
                    if (at < 0)
                    {
                        break;
                    }
                    keys.Add(key with { Column = at });
                }
                return keys;
            }
            default:
                return [];
        }
    }

    /// <summary>
    /// Whether a stable sort of <paramref name="plan"/> by <paramref name="keys"/> would leave its rows as they are: each
    /// key that is not a constant column matches the next key of the known order (direction, and where nulls go unless
    /// the column has none).
    /// </summary>
    public static bool Satisfies(LogicalPlan plan, IReadOnlyList<SortExpr> keys)
    {
        var order = Of(plan);
        var next = 0;
        foreach (var key in keys)
        {
            if (key.Expr is not ColumnExpr c)
            {
                return false;
            }
            if (IsConstant(plan, c.Index))
            {
                continue;
            }
            if (next >= order.Count)
            {
                return false;
            }
            var known = order[next++];
            if (known.Column != c.Index || known.Descending != key.Descending
                || (known.NullsFirst != key.NullsFirst && !NeverNull(plan, c.Index)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether every row of <paramref name="plan"/> has the same value (a constant) in <paramref name="column"/>.</summary>
    public static bool IsConstant(LogicalPlan plan, int column) => plan switch
    {
        ProjectionPlan p => p.Exprs[column].IsConstant || (p.Exprs[column] is ColumnExpr c && IsConstant(p.Input, c.Index)),
        FilterPlan or SortPlan or LimitPlan => IsConstant(plan.Inputs[0], column),
        // Rows it makes copy their series keys; other columns get fills.
        GapFillPlan g => g.Series.Contains(column) && IsConstant(g.Input, column),
        _ => false,
    };

    /// <summary>Whether <paramref name="column"/> of <paramref name="plan"/> is known to hold no null.</summary>
    public static bool NeverNull(LogicalPlan plan, int column) => plan switch
    {
        ScanPlan s => !s.Schema[column].IsNullable,
        ProjectionPlan p => NeverNull(p.Exprs[column], p.Input),
        AggregatePlan a => column < a.Groups.Count && NeverNull(a.Groups[column], a.Input),
        FilterPlan or SortPlan or LimitPlan => NeverNull(plan.Inputs[0], column),
        // Rows it makes have a bin for time and their series' keys.
        GapFillPlan g => (column == g.Time || g.Series.Contains(column)) && NeverNull(g.Input, column),
        _ => false,
    };

    private static bool NeverNull(Expr e, LogicalPlan input) => e switch
    {
        ColumnExpr c => NeverNull(input, c.Index),
        LiteralExpr l => l.Value is not null,
        ScalarFunctionExpr { Function.NullOnlyFromNullArguments: true } f => f.Arguments.All(a => NeverNull(a, input)),
        _ => false,
    };

    private static List<Key> Columns(IReadOnlyList<SortExpr> keys)
    {
        var result = new List<Key>();
        foreach (var k in keys)
        {
            if (k.Expr is not ColumnExpr c)
            {
                break;
            }
            result.Add(new Key(c.Index, k.Descending, k.NullsFirst));
        }
        return result;
    }
}
