using Tsdb.Query.Chunks;
using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>UNION ALL of fixed mem rows and the test input.</summary>
public sealed class UnionExecConformance : ExecutionPlanConformance
{
    internal override long RowsFromEmptyInput => 2;

    internal override ExecutionPlan Create(TestInput input)
    {
        var u = TestPlans.Find<UnionPlan>("SELECT host AS h, time, usage, n FROM mem UNION ALL SELECT * FROM cpu");
        var mem = new ValuesExec(MemoryTableSource.CpuSchema, [.. TestPlans.Source().ScanAsync(new ScanRequest("db", "mem")).ToBlockingEnumerable()], "mem");
        return new UnionExec([mem, input], u.Schema);
    }
}
