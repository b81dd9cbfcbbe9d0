using Tsdb.Query.Execution;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>ValuesExec holding the test input's batches as its list (read lazily, so it too can be endless or fail).</summary>
public sealed class ValuesExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) => new ValuesExec(MemoryTableSource.CpuSchema, new InputList(input), "test");
}
