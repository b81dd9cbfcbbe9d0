using System.Runtime.InteropServices;

namespace Tsdb.EndToEnd.Tests.Deployment;

/// <summary>
/// A test that needs Linux on x64 as root (chroot, mount namespaces, podman as root). Skipped elsewhere, saying why;
/// <c>needsPodman</c> also asks for podman, or apt-get to install it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxRootFactAttribute : FactAttribute
{
    public LinuxRootFactAttribute(bool needsPodman = false)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Skip = $"needs Linux on x64 (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture})";
        }
        else if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root (chroot and mount namespaces; podman as root)";
        }
        else if (needsPodman && !File.Exists("/usr/bin/podman") && !File.Exists("/usr/bin/apt-get"))
        {
            Skip = "needs podman, or Debian's apt-get to install it";
        }
    }
}
