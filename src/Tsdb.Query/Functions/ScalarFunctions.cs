using System.Diagnostics.CodeAnalysis;

namespace Tsdb.Query.Functions;

/// <summary>
/// Every scalar function the planner can bind, by lower-case name (the caller lower-cases the name it looks up).
/// Aliases (pow, ceiling, substring, …) are entries of their own so that errors name the function as it was called.
/// </summary>
public static class ScalarFunctions
{
    private static readonly Dictionary<string, ScalarFunction> Registry = Build();

    public static bool TryGet(string name, [MaybeNullWhen(false)] out ScalarFunction function) => Registry.TryGetValue(name, out function);

    /// <summary>The functions a query can call by name (the planner's own, named with a "$", are left out).</summary>
    public static IReadOnlyCollection<string> Names => [.. Registry.Keys.Where(n => !n.StartsWith('$'))];

    /// <summary>
    /// <c>$one_row(value, rows)</c>: how the SQL planner reads a correlated scalar subquery that does not aggregate,
    /// decorrelated into its value and row count per correlation key — the value, or an error where an outer row met
    /// more than one row (as PostgreSQL and DuckDB answer). The "$" keeps it out of reach of every unquoted call.
    /// </summary>
    public const string OneRow = "$one_row";

    private static Dictionary<string, ScalarFunction> Build()
    {
        var all = new List<ScalarFunction>();
        MathFunctions.Register(all);
        ConditionalFunctions.Register(all);
        StringFunctions.Register(all);
        RegexFunctions.Register(all);
        TimeFunctions.Register(all);
        var registry = new Dictionary<string, ScalarFunction>(StringComparer.Ordinal);
        foreach (var f in all)
        {
            if (!registry.TryAdd(f.Name, f))
            {
                throw new InvalidOperationException($"scalar function '{f.Name}' is registered twice");
            }
        }
        return registry;
    }
}
