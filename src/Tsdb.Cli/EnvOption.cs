using System.CommandLine;

namespace Tsdb.Cli;

/// <summary>Options that also read an environment variable (TSDB_…) when the flag is not given.</summary>
internal static class EnvOption
{
    public static Option<string> Text(string name, string env, string? fallback, string description) => new(name)
    {
        Description = $"{description} [env: {env}]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(env) ?? fallback!,
    };

    public static Option<bool> Flag(string name, string env, string description) => new(name)
    {
        Description = $"{description} [env: {env}]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(env) is { } v && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase)),
    };

    public static Option<int> Number(string name, string env, int fallback, string description) => new(name)
    {
        Description = $"{description} [env: {env}]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(env) is { } v && int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : fallback,
    };
}
