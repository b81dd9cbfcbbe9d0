namespace Tsdb.PromQL.Engine;

internal sealed class ScalarResult(double value) : EvalValue
{
    public double Value { get; } = value;
}
