using System.Reflection;

namespace Tsdb.Core.Diagnostics;

/// <summary>The product version, set once in Directory.Build.props and read from the assembly everywhere it is shown.</summary>
public static class BuildInfo
{
    /// <summary>The informational version of the build, e.g. <c>0.1.0</c>.</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BuildInfo).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";
}
