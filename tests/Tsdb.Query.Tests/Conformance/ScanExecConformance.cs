using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>ScanExec with a filter, reading the test input as table cpu of a <see cref="MemoryTableSource"/>.</summary>
public sealed class ScanExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) =>
        new ScanExec("db", "cpu", MemoryTableSource.CpuSchema, TestPlans.Find<FilterPlan>("SELECT * FROM cpu WHERE usage > 15 OR n = 3").Predicate, null);

    internal override ITableSource SourceFor(TestInput input)
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, input.Stream);
        return source;
    }
}
