namespace Tsdb.PromQL.Engine;

internal sealed class StringResult(string value) : EvalValue
{
    public string Value { get; } = value;
}
