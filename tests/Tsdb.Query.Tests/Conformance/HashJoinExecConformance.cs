using Tsdb.Query.Chunks;
using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>An inner hash join of fixed mem rows (probe side) with the test input as the build side, which it holds.</summary>
public sealed class HashJoinExecConformance : ExecutionPlanConformance
{
    internal override string? MemoryConsumer => "HashJoin(build side)";

    internal override ExecutionPlan Create(TestInput input) =>
        JoinOver(input, "SELECT * FROM mem JOIN cpu ON mem.host = cpu.host");

    /// <summary>The statement's join with its left input as fixed mem rows and its right input the test input.</summary>
    internal static JoinExec JoinOver(TestInput input, string sql)
    {
        var j = TestPlans.Find<JoinPlan>(sql);
        Assert.Equal(MemoryTableSource.CpuSchema.FieldCount, j.Right.Schema.FieldCount);
        var left = new ValuesExec(j.Left.Schema, [.. TestPlans.Source().ScanAsync(new ScanRequest("db", "mem")).ToBlockingEnumerable()], "mem");
        return new JoinExec(left, input, j.Type, j.On, j.Filter, j.NullAwareAnti, j.Schema);
    }
}
