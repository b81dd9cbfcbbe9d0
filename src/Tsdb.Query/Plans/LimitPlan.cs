using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>OFFSET <see cref="Skip"/> LIMIT <see cref="Fetch"/>.</summary>
public sealed class LimitPlan(LogicalPlan input, long skip, long? fetch) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public long Skip { get; } = skip;

    public long? Fetch { get; } = fetch;

    public override Schema Schema => Input.Schema;

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LimitPlan(inputs[0], Skip, Fetch);

    public override string Describe() => $"Limit: skip={Skip}, fetch={(Fetch is { } f ? f.ToString(System.Globalization.CultureInfo.InvariantCulture) : "None")}";
}
