using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// GapFillExec as the physical planner builds it, over a SortExec by (series keys, time nulls first), with the bins,
/// series and fills of a real date_bin_gapfill plan. Its query groups so that the aggregate's columns line up with the
/// cpu columns the test input gives (host, the bin, a float, an integer count), so the plan's column numbers and fills
/// apply to the test input as they stand.
/// </summary>
public sealed class GapFillExecConformance : ExecutionPlanConformance
{
    internal const string Sql =
        "SELECT host, date_bin_gapfill(INTERVAL '1 minute', time) AS minute, locf(max(usage)) AS usage, count(n) AS n "
        + "FROM cpu WHERE time >= '2016-01-01T00:00:00Z' AND time < '2016-01-01T00:05:00Z' GROUP BY 1, 2";

    /// <summary>
    /// The sort under the gap filling is the first to hold rows, so a too-small pool fails naming the sort; the gap
    /// filling's own reservation is held to the contract by <see cref="UnsortedGapFillExecConformance"/>.
    /// </summary>
    internal override string? MemoryConsumer => "Sort";

    internal override ExecutionPlan Create(TestInput input)
    {
        var g = Plan();
        return Over(new SortExec(input, SortKeys(g), null), g);
    }

    /// <summary>The gap-filling plan, checked to line up with the cpu columns.</summary>
    internal static GapFillPlan Plan()
    {
        var g = TestPlans.Find<GapFillPlan>(Sql);
        var cpu = MemoryTableSource.CpuSchema;
        Assert.Equal(cpu.FieldCount, g.Schema.FieldCount);
        Assert.Equal(1, g.Time);
        Assert.Equal(0, Assert.Single(g.Series));
        foreach (var f in g.Fills)
        {
            Assert.Equal(cpu[f.Column].Type, g.Schema[f.Column].Type);
        }
        // locf on the float, count's 0 on the integer: both fill paths (a taken row, a computed value) run.
        Assert.Contains(g.Fills, f => f.Column == 2 && f.Strategy == GapFillStrategy.Locf);
        Assert.Contains(g.Fills, f => f.Column == 3 && f.Strategy == GapFillStrategy.Default);
        return g;
    }

    /// <summary>The keys PhysicalPlanner sorts a gap fill's input by: the series, then time with nulls first.</summary>
    internal static List<SortExpr> SortKeys(GapFillPlan g)
    {
        var cpu = MemoryTableSource.CpuSchema;
        var keys = g.Series.Select(s => new SortExpr(new ColumnExpr(s, cpu[s].Name, cpu[s].Type), false, false)).ToList();
        keys.Add(new SortExpr(new ColumnExpr(g.Time, cpu[g.Time].Name, cpu[g.Time].Type), false, true));
        return keys;
    }

    internal static GapFillExec Over(ExecutionPlan input, GapFillPlan g) =>
        new(input, g.Time, g.Series, g.Fills, g.FirstBin, g.LastBin, g.Stride);
}
