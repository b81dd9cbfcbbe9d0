namespace Tsdb.PromQL.Engine;

internal sealed class MatrixResult(List<RangeSeries> series) : EvalValue
{
    public List<RangeSeries> Series { get; } = series;
}
