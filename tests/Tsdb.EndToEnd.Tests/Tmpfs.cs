using System.Diagnostics;
using System.Globalization;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A small tmpfs mounted for one test (a disk that fills up on purpose), unmounted and removed on dispose. Mounting
/// needs root or CAP_SYS_ADMIN; <see cref="TmpfsFactAttribute"/> skips the test, saying so, where it is not allowed.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    public long AvailableBytes => new DriveInfo(Path).AvailableFreeSpace;

    public static Tmpfs Mount(long bytes)
    {
        var path = Directory.CreateTempSubdirectory("tsdb-tmpfs-").FullName;
        var error = Run("mount", "-t", "tmpfs", "-o", string.Create(CultureInfo.InvariantCulture, $"size={bytes}"), "tmpfs", path);
        if (error is not null)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed: {error}");
        }
        return new Tmpfs(path);
    }

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can (tried once per process).</summary>
    public static string? CannotMount => LazyCannotMount.Value;

    private static readonly Lazy<string?> LazyCannotMount = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs needs Linux";
        }
        try
        {
            using var probe = Mount(1 << 20);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"mounting a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN): {e.Message}";
        }
    });

    /// <summary>Fills the file system with a file until <paramref name="leaveBytes"/> remain free; returns its path.</summary>
    public string Fill(long leaveBytes)
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        var size = Math.Max(0, AvailableBytes - leaveBytes);
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write);
        var block = new byte[1 << 20];
        Random.Shared.NextBytes(block);
        for (long written = 0; written < size; written += block.Length)
        {
            stream.Write(block, 0, (int)Math.Min(block.Length, size - written));
        }
        return filler;
    }

    /// <summary>Takes the last free bytes with a second file (written until ENOSPC); returns its path.</summary>
    public string FillUp()
    {
        var filler = System.IO.Path.Combine(Path, "filler-rest");
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // full
        }
        return filler;
    }

    public void Dispose()
    {
        // Lazy: a server killed a moment ago may still hold a file open.
        _ = Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {stderr.Trim()}";
    }
}

/// <summary>A fact that is skipped, with the reason, where a tmpfs cannot be mounted.</summary>
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.CannotMount is { } reason)
        {
            Skip = reason;
        }
    }
}
