namespace Tsdb.PromQL.Engine;

internal sealed class VectorResult(List<Sample> samples) : EvalValue
{
    public List<Sample> Samples { get; } = samples;
}
