using Tsdb.Query.Execution;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>SeriesTransformExec with per-series OFFSET/LIMIT and SLIMIT: it stops reading once the series limit is passed.</summary>
public sealed class LimitedSeriesTransformExecConformance : ExecutionPlanConformance
{
    internal override ExecutionPlan Create(TestInput input) =>
        new SeriesTransformExec(input, [0], 1, [new SeriesTransform(2, SeriesFunction.Difference)], [],
            offset: 0, limit: 2, seriesOffset: 1, seriesLimit: 3);
}
