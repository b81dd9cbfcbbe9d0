using System.Diagnostics;

namespace Tsdb.Testing;

/// <summary>
/// Installs Debian packages the tests need (Prometheus, Ceph RGW) on first use. Test assemblies run in parallel, and
/// two apt-gets at once fail at once on the dpkg lock ("Could not get lock /var/lib/dpkg/lock-frontend"): installs
/// from this suite queue on one flock, and each apt-get also waits for the dpkg lock in case something else holds it.
/// </summary>
public static class DebianPackages
{
    private const string LockFile = "/tmp/tsdb-tests-apt.lock";

    public static void Install(IReadOnlyList<string> packages, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var names = string.Join(' ', packages);
        var script = "apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "
            + "install -y -qq --no-install-recommends " + names;
        var info = new ProcessStartInfo("flock") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-w", ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), LockFile, "bash", "-c", script })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout + TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"installing {names} did not finish in {timeout}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"installing {names} failed ({process.ExitCode}; the tests must run as root, with Debian's package sources reachable):\n{stderr.Result}\n{stdout.Result}");
        }
    }
}
