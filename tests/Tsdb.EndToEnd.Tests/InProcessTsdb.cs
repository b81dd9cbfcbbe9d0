using Tsdb.Cli;
using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// The end-to-end tests' in-process server: <c>tsdb serve</c>'s own arguments, read by its own parser, start a
/// <see cref="InProcessServer"/> on 127.0.0.1:0 (no process, no build of a command line, no wait for a line on stdout).
/// </summary>
internal static class InProcessTsdb
{
    public static Task<InProcessServer> StartAsync(string dataDir, params string[] extraArgs)
    {
        string[] args = ["--http-bind", "127.0.0.1:0", "--data-dir", dataDir, .. extraArgs];
        if (!extraArgs.Contains("--log-level"))
        {
            // The request log would go to the test process's console, one line per request.
            args = [.. args, "--log-level", "warn"];
        }
        return InProcessServer.StartAsync(ServeCommand.ParseOptions(args));
    }
}
