using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests.Deployment;

/// <summary>
/// The self-contained single-file linux-x64 build, made once per test run by deploy/publish.sh (the script operators
/// use) into artifacts/test-publish. ReadyToRun is left off: it makes the files start faster but costs minutes of
/// compilation, and these tests check that the file is complete, not how fast it starts.
/// </summary>
internal static class PublishedTsdb
{
    private static readonly Lazy<Task<string>> X64 = new(PublishAsync);

    public static string OutputRoot => Path.Combine(RepoPaths.Root, "artifacts", "test-publish");

    /// <summary>The path of the published <c>tsdb</c> executable (its folder is <c>OutputRoot/linux-x64</c>).</summary>
    public static Task<string> LinuxX64Async() => X64.Value;

    private static async Task<string> PublishAsync()
    {
        var env = new Dictionary<string, string> { ["OUT"] = OutputRoot, ["READY_TO_RUN"] = "false" };
        await Command.CheckAsync("bash", [Path.Combine(RepoPaths.Root, "deploy", "publish.sh"), "linux-x64"], TimeSpan.FromMinutes(15), env);
        var binary = Path.Combine(OutputRoot, "linux-x64", "tsdb");
        Assert.True(File.Exists(binary), $"deploy/publish.sh made no {binary}");
        return binary;
    }
}
