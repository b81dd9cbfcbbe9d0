using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests.Deployment;

/// <summary>
/// The self-contained single file from deploy/publish.sh runs where no .NET is installed: inside a chroot that holds
/// only the file, the shared libraries `ldd` names, and the ones the runtime and tsdb open by name (libssl, libcrypto,
/// libzstd), with an empty environment. It serves, stores a write, answers a query, serves the embedded web UI, and
/// stops cleanly on SIGTERM.
/// </summary>
public sealed partial class SelfContainedBinaryTests(ITestOutputHelper output)
{
    /// <summary>Opened with dlopen, so ldd does not list them: OpenSSL for SHA-256 (tokens) and TLS, zstd for Tsdb.Core.</summary>
    private static readonly string[] OpenedByName = ["libssl.so.3", "libcrypto.so.3", "libzstd.so.1"];

    [LinuxRootFact]
    public async Task Single_file_serves_writes_and_queries_in_a_chroot_without_dotnet()
    {
        var binary = await PublishedTsdb.LinuxX64Async();
        output.WriteLine($"{binary}: {new FileInfo(binary).Length / 1048576.0:F1} MiB");
        var root = Directory.CreateTempSubdirectory("tsdb-chroot-").FullName;
        try
        {
            await MakeRootAsync(root, binary);
            Assert.False(File.Exists(Path.Combine(root, "usr", "bin", "dotnet")));
            Assert.Empty(Directory.GetDirectories(root, "dotnet", SearchOption.AllDirectories));

            var script = """
                set -e
                mount -t proc proc "$0/proc"
                for d in null urandom; do touch "$0/dev/$d"; mount --bind "/dev/$d" "$0/dev/$d"; done
                exec env -i PATH=/ HOME=/tmp /usr/sbin/chroot "$0" /tsdb serve --http-bind 127.0.0.1:0 --data-dir /data
                """;
            var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--mount", "--propagation", "private", "bash", "-c", script, root })
            {
                info.ArgumentList.Add(a);
            }
            var started = Stopwatch.StartNew();
            using var process = Process.Start(info)!;
            var lines = new StringBuilder();
            var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            string? token = null;
            void OnLine(string? line)
            {
                if (line is null)
                {
                    listening.TrySetException(new InvalidOperationException("tsdb exited before listening:\n" + lines));
                    return;
                }
                lock (lines)
                {
                    lines.AppendLine(line);
                }
                if (TokenLine().Match(line) is { Success: true } t)
                {
                    token = t.Groups[1].Value;
                }
                if (ListeningLine().Match(line) is { Success: true } m)
                {
                    listening.TrySetResult(new Uri(m.Groups[1].Value));
                }
            }
            process.OutputDataReceived += (_, e) => OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => OnLine(e.Data ?? "");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                var url = await listening.Task.WaitAsync(TimeSpan.FromMinutes(2));
                output.WriteLine($"listening after {started.Elapsed.TotalSeconds:F2} s on {url}");
                Assert.NotNull(token);

                using var http = new HttpClient { BaseAddress = url };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var write = await http.PostAsync("/api/v3/write_lp?db=deploy", new StringContent("cpu,host=chroot usage=0.25 1700000000000000000"));
                Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
                var csv = await http.GetStringAsync("/api/v3/query_sql?db=deploy&format=csv&q=" + Uri.EscapeDataString("SELECT host, usage FROM cpu"));
                Assert.Equal("host,usage\nchroot,0.25\n", csv.ReplaceLineEndings("\n"));

                // The web UI is embedded in the file, not read from beside it.
                var page = await http.GetStringAsync("/");
                Assert.Contains("ui/app.js", page, StringComparison.Ordinal);
                var script2 = await http.GetAsync("/ui/app.js");
                Assert.Equal(HttpStatusCode.OK, script2.StatusCode);
                Assert.True((await script2.Content.ReadAsByteArrayAsync()).Length > 1000);

                await Command.CheckAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(exit.Token);
                Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{lines}");
                Assert.Contains("WAL closed", lines.ToString(), StringComparison.Ordinal);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The file as /tsdb, its libraries at their own paths, and empty /tmp, /data, /proc and /dev.</summary>
    private static async Task MakeRootAsync(string root, string binary)
    {
        File.Copy(binary, Path.Combine(root, "tsdb"));
        foreach (var dir in new[] { "tmp", "data", "proc", "dev" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0b1_111_111_111);
        }
        var ldd = await Command.CheckAsync("ldd", [binary], TimeSpan.FromSeconds(30));
        var libraries = LibraryPath().Matches(ldd.Stdout).Select(m => m.Value).ToList();
        var cache = await Command.CheckAsync("ldconfig", ["-p"], TimeSpan.FromSeconds(30));
        foreach (var name in OpenedByName)
        {
            var m = Regex.Match(cache.Stdout, $@"^\s*{Regex.Escape(name)} \(libc6,x86-64\) => (\S+)$", RegexOptions.Multiline);
            Assert.True(m.Success, $"{name} is not installed here (ldconfig -p)");
            libraries.Add(m.Groups[1].Value);
        }
        foreach (var library in libraries)
        {
            var target = Path.Combine(root, library.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(library, target, overwrite: true);   // follows the symlink: the real file under the link's name
        }
    }

    [GeneratedRegex(@"listening on (https?://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"admin token .*: (apiv3_\S+)")]
    private static partial Regex TokenLine();

    [GeneratedRegex(@"(?<=\s|^)/\S+\.so[.\d]*(?=\s)", RegexOptions.Multiline)]
    private static partial Regex LibraryPath();
}
