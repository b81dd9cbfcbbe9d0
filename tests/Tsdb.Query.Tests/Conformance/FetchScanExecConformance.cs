using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>ScanExec with a LIMIT pushed into it (fetch 3): it stops reading once it has its rows.</summary>
public sealed class FetchScanExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) => new ScanExec("db", "cpu", MemoryTableSource.CpuSchema, null, 3);

    internal override ITableSource SourceFor(TestInput input)
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, input.Stream);
        return source;
    }
}
