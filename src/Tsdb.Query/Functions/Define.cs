using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>Builds registry entries whose return-type callback checks the argument count and kinds first.</summary>
internal static class Define
{
    /// <summary>A function taking at least <paramref name="min"/> and at most <paramref name="max"/> arguments (int.MaxValue: variadic).</summary>
    /// <param name="parameters">The parameter list as users read it: "string, delimiter, n".</param>
    /// <param name="kinds">What each argument may be; the last kind repeats for the arguments after it.</param>
    public static ScalarFunction Function(string name, string parameters, int min, int max, ArgKind[] kinds,
        Func<IReadOnlyList<ArrowType>, ArrowType> result, Func<FunctionArguments, ColumnarValue> invoke, bool isVolatile = false, bool nullOnlyFromNullArguments = false)
    {
        ArrowType Check(IReadOnlyList<ArrowType> types)
        {
            var n = types.Count;
            if (n < min || n > max)
            {
                throw new FunctionException($"{name} takes ({parameters}), got {n} argument{(n == 1 ? "" : "s")}");
            }
            for (var i = 0; i < n; i++)
            {
                var kind = kinds[Math.Min(i, kinds.Length - 1)];
                if (!FunctionTypes.Fits(kind, types[i]))
                {
                    throw new FunctionException($"argument {i + 1} of {name} must be {FunctionTypes.Describe(kind)}, got {FunctionTypes.Name(types[i])}", i);
                }
            }
            return result(types);
        }
        return new ScalarFunction(name, $"{name}({parameters})", Check, invoke) { IsVolatile = isVolatile, NullOnlyFromNullArguments = nullOnlyFromNullArguments };
    }

    /// <summary>A function with exactly as many arguments as <paramref name="kinds"/>.</summary>
    public static ScalarFunction Fixed(string name, string parameters, ArgKind[] kinds, ArrowType result, Func<FunctionArguments, ColumnarValue> invoke) =>
        Function(name, parameters, kinds.Length, kinds.Length, kinds.Length == 0 ? [ArgKind.Any] : kinds, _ => result, invoke);
}
