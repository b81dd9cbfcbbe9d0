using System.Diagnostics;

namespace Tsdb.Testing;

/// <summary>
/// Runs node scripts from tests/interop. Installs the npm packages (npm ci, from the committed lock file) the
/// first time, under a file lock so parallel test processes do not race.
/// </summary>
public static class NodeRunner
{
    private static readonly Lazy<bool> Installed = new(EnsureInstalled);

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public Result EnsureSuccess(string what) => ExitCode == 0
            ? this
            : throw new InvalidOperationException($"{what} failed with exit code {ExitCode}:\n{StandardError}\n{StandardOutput}");
    }

    /// <summary>Runs <c>node script args…</c> in tests/interop and waits for it.</summary>
    public static Result Run(string script, params string[] args) => RunIn(RepoPaths.Interop, "node", [script, .. args], TimeSpan.FromMinutes(5));

    private static bool EnsureInstalled()
    {
        var marker = Path.Combine(RepoPaths.Interop, "node_modules", ".package-lock.json");
        using var lockFile = AcquireLock(Path.Combine(Path.GetTempPath(), "tsdb-interop-npm.lock"));
        var lockJson = Path.Combine(RepoPaths.Interop, "package-lock.json");
        if (!File.Exists(marker) || File.GetLastWriteTimeUtc(marker) < File.GetLastWriteTimeUtc(lockJson))
        {
            RunIn(RepoPaths.Interop, "npm", ["install", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(10)).EnsureSuccess("npm install in tests/interop");
        }
        return true;
    }

    /// <summary>An exclusive lock file (waits up to 10 minutes), so that installs from parallel test assemblies take turns.</summary>
    public static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static Result RunIn(string directory, string fileName, string[] args, TimeSpan timeout)
    {
        if (fileName == "node")
        {
            _ = Installed.Value;
        }
        return RunProcess(directory, fileName, args, timeout);
    }

    /// <summary>Runs a program in <paramref name="directory"/> and waits for it (killed after <paramref name="timeout"/>).</summary>
    public static Result RunProcess(string directory, string fileName, string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
