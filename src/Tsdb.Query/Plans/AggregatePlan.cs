using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>GROUP BY: one row per distinct group key (one row in all without keys), the keys then the aggregates.</summary>
public sealed class AggregatePlan(LogicalPlan input, IReadOnlyList<Expr> groups, IReadOnlyList<string> groupNames, IReadOnlyList<AggregateCall> aggregates) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public IReadOnlyList<Expr> Groups { get; } = groups;

    public IReadOnlyList<string> GroupNames { get; } = groupNames;

    public IReadOnlyList<AggregateCall> Aggregates { get; } = aggregates;

    public override Schema Schema { get; } = new([
        .. groups.Select((g, i) => new Field(groupNames[i], g.Type)),
        .. aggregates.Select(a => new Field(a.Name, a.Type))]);

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new AggregatePlan(inputs[0], Groups, GroupNames, Aggregates);

    public override string Describe() =>
        $"Aggregate: groupBy=[{string.Join(", ", Groups)}], aggr=[{string.Join(", ", Aggregates)}]";
}
