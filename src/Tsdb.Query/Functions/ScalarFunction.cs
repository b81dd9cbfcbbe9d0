using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>
/// A scalar function of the registry: its name, a signature checked once when the query is planned (argument types in,
/// result type out, or a <see cref="FunctionException"/>), and a kernel over whole columns.
/// </summary>
public sealed class ScalarFunction(string name, string signature, Func<IReadOnlyList<ArrowType>, ArrowType> returnType, Func<FunctionArguments, ColumnarValue> invoke)
{
    public string Name { get; } = name;

    /// <summary>How the function is called, for error messages and docs: "split_part(string, delimiter, n)".</summary>
    public string Signature { get; } = signature;

    /// <summary>Whether two calls with the same arguments may differ (now() is not: it is fixed per statement).</summary>
    public bool IsVolatile { get; init; }

    /// <summary>Whether the result is null only where an argument is: a call on values that are never null is never null (the optimizer relies on it).</summary>
    public bool NullOnlyFromNullArguments { get; init; }

    /// <summary>The result type for these argument types; throws <see cref="FunctionException"/> when they do not fit.</summary>
    public ArrowType ReturnType(IReadOnlyList<ArrowType> arguments) => returnType(arguments);

    public ColumnarValue Invoke(FunctionArguments arguments) => invoke(arguments);
}

/// <summary>What a kernel gets: the evaluated arguments (arrays or constants), the row count and the statement's clock.</summary>
public sealed class FunctionArguments(IReadOnlyList<ColumnarValue> values, IReadOnlyList<ArrowType> types, int rowCount, long nowNanos)
{
    public IReadOnlyList<ColumnarValue> Values { get; } = values;

    public IReadOnlyList<ArrowType> Types { get; } = types;

    public int RowCount { get; } = rowCount;

    /// <summary>now() of the statement, ns since the epoch (the same in every call of one statement).</summary>
    public long NowNanos { get; } = nowNanos;

    public int Count => Values.Count;

    public ColumnarValue this[int index] => Values[index];
}

/// <summary>
/// A call that cannot work: wrong argument count or types (at plan time) or bad values (at run time). The planner
/// positions it at the argument <see cref="Argument"/> (0-based) when given, else at the call.
/// </summary>
public sealed class FunctionException(string message, int? argument = null) : Exception(message)
{
    public int? Argument { get; } = argument;
}
