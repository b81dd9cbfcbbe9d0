using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// SeriesTransformExec (InfluxQL's per-series functions) over the cpu test input as it comes: series are the runs of
/// one host, usage gets a derivative and n a running sum. It holds no rows, so it streams.
/// </summary>
public sealed class SeriesTransformExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) =>
        new SeriesTransformExec(input, [0], 1,
            [new SeriesTransform(2, SeriesFunction.Derivative), new SeriesTransform(3, SeriesFunction.CumulativeSum)],
            [2, 3], offset: 0, limit: null, seriesOffset: 0, seriesLimit: null);
}
