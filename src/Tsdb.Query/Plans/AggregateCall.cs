using Tsdb.Arrow.Types;
using Tsdb.Query.Aggregation;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>One aggregate of an <see cref="AggregatePlan"/>: the function, its argument expressions over the input, options and FILTER.</summary>
public sealed class AggregateCall(AggregateFunction function, IReadOnlyList<Expr> arguments, AggregateCallOptions options, Expr? filter, ArrowType type, string name)
{
    public AggregateFunction Function { get; } = function;

    public IReadOnlyList<Expr> Arguments { get; } = arguments;

    public AggregateCallOptions Options { get; } = options;

    public Expr? Filter { get; } = filter;

    public ArrowType Type { get; } = type;

    /// <summary>The call as written (its output column's name).</summary>
    public string Name { get; } = name;

    public IGroupsAccumulator CreateAccumulator() => Function.Create([.. Arguments.Select(a => a.Type)], Options);

    public override string ToString() => Name;
}
