using System.Diagnostics;

namespace Tsdb.EndToEnd.Tests;

/// <summary>Runs the real <c>tsdb</c> binary as a client: arguments, environment (TSDB_* of the test run removed), stdin.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static async Task<Result> RunAsync(string[] args, IReadOnlyDictionary<string, string>? env = null, string? stdin = null, byte[]? stdinBytes = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(TsdbProcess.TsdbDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var name in new[] { "TSDB_HOST", "TSDB_TOKEN", "TSDB_DATABASE" })
        {
            info.Environment.Remove(name);
        }
        info.Environment["TSDB_CLI_BACKOFF_MS"] = "10";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdinBytes is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdinBytes);
        }
        else if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
