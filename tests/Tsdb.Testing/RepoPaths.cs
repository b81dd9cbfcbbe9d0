namespace Tsdb.Testing;

/// <summary>Locations inside the checkout, found by walking up to the directory holding Tsdb.sln.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tsdb.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException($"no Tsdb.sln above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    /// <summary>The npm project with the independent implementations (apache-arrow, DuckDB, clients …).</summary>
    public static string Interop => Path.Combine(Root, "tests", "interop");
}
