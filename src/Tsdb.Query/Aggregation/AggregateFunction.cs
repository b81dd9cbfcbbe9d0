using Tsdb.Arrow.Types;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// An aggregate function of the registry: its name, a signature check run once when the query is planned (argument
/// types and call options in, result type out, or a <see cref="FunctionException"/>), and a factory for the per-group
/// state of one call.
/// </summary>
public sealed class AggregateFunction
{
    private readonly Func<IReadOnlyList<ArrowType>, AggregateCallOptions, ArrowType> _returnType;
    private readonly Func<IReadOnlyList<ArrowType>, AggregateCallOptions, IGroupsAccumulator> _create;

    internal AggregateFunction(
        string name,
        Func<IReadOnlyList<ArrowType>, AggregateCallOptions, ArrowType> returnType,
        Func<IReadOnlyList<ArrowType>, AggregateCallOptions, IGroupsAccumulator> create)
    {
        Name = name;
        _returnType = returnType;
        _create = create;
    }

    public string Name { get; }

    /// <summary>The result type for these argument types; throws <see cref="FunctionException"/> when they do not fit.</summary>
    public ArrowType ReturnType(IReadOnlyList<ArrowType> argumentTypes, AggregateCallOptions options)
    {
        ArgumentNullException.ThrowIfNull(argumentTypes);
        ArgumentNullException.ThrowIfNull(options);
        return _returnType(argumentTypes, options);
    }

    /// <summary>
    /// A fresh accumulator for one call. The signature is checked again here, so a caller that skipped
    /// <see cref="ReturnType"/> still gets a <see cref="FunctionException"/> rather than a failure mid-query.
    /// </summary>
    public IGroupsAccumulator Create(IReadOnlyList<ArrowType> argumentTypes, AggregateCallOptions options)
    {
        ReturnType(argumentTypes, options);
        return _create(argumentTypes, options);
    }
}
