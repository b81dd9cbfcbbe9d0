using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>The input ordered by the keys (stable); with <see cref="Fetch"/> only the first rows are kept (top-K).</summary>
public sealed class SortPlan(LogicalPlan input, IReadOnlyList<SortExpr> keys, long? fetch = null) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public IReadOnlyList<SortExpr> Keys { get; } = keys;

    public long? Fetch { get; } = fetch;

    public override Schema Schema => Input.Schema;

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new SortPlan(inputs[0], Keys, Fetch);

    public override string Describe() => $"Sort: {string.Join(", ", Keys)}" + (Fetch is null ? "" : $" fetch={Fetch}");
}
