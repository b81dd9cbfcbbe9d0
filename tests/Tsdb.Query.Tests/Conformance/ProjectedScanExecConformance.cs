using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// ScanExec asking for two columns in another order than the table's, over a source that returns whole rows (as the
/// interface allows): the scan aligns each batch to its own schema.
/// </summary>
public sealed class ProjectedScanExecConformance : ExecutionPlanConformance
{
    private static readonly Schema Projected = new([MemoryTableSource.CpuSchema[2], MemoryTableSource.CpuSchema[0]]);

    internal override ExecutionPlan Create(TestInput input) => new ScanExec("db", "cpu", Projected, null, null);

    internal override ITableSource SourceFor(TestInput input)
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema, input.Stream);
        return source;
    }
}
