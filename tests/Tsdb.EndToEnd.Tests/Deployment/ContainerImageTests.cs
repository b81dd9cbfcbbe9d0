using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Tsdb.Testing;
using Xunit.Abstractions;

namespace Tsdb.EndToEnd.Tests.Deployment;

/// <summary>
/// deploy/Dockerfile builds with podman (Debian's) on a Debian base made by mmdebstrap from Debian's packages
/// (deploy/image/make-base.sh, as no registry is reachable), and the image runs: as user 10001, healthy by its own
/// HEALTHCHECK on /health, storing a write in its volume and answering a query, and exiting 0 on `podman stop`.
/// The base is made once per machine (minutes: mmdebstrap downloads ~100 packages) and kept as
/// localhost/tsdb-base:bookworm; after that the test builds the image in well under a minute.
/// </summary>
public sealed partial class ContainerImageTests(ITestOutputHelper output)
{
    private const string BaseImage = "localhost/tsdb-base:bookworm";

    [LinuxRootFact(needsPodman: true)]
    public async Task Image_builds_runs_as_non_root_is_healthy_and_stores_writes()
    {
        var binary = await PublishedTsdb.LinuxX64Async();
        if (!File.Exists("/usr/bin/podman") || !File.Exists("/usr/sbin/runc") || !File.Exists("/usr/bin/mmdebstrap"))
        {
            DebianPackages.Install(["podman", "runc", "mmdebstrap", "ca-certificates"], TimeSpan.FromMinutes(10));
        }
        var clock = Stopwatch.StartNew();
        if ((await Command.RunAsync("podman", ["image", "exists", BaseImage], TimeSpan.FromMinutes(1))).ExitCode != 0)
        {
            await Command.CheckAsync("bash", [Path.Combine(RepoPaths.Root, "deploy", "image", "make-base.sh"), BaseImage], TimeSpan.FromMinutes(30));
            output.WriteLine($"made {BaseImage} in {clock.Elapsed.TotalSeconds:F0} s");
        }

        var id = Guid.NewGuid().ToString("N")[..8];
        var image = $"localhost/tsdb-e2e:{id}";
        var name = $"tsdb-e2e-{id}";
        var volume = $"tsdb-e2e-{id}";
        try
        {
            // --isolation=chroot: RUN steps without an OCI runtime (crun refuses hybrid cgroup v1/v2 hosts like this
            // one); --format docker: the OCI format drops HEALTHCHECK.
            clock.Restart();
            await Command.CheckAsync("podman", ["build", "--pull=never", "--isolation=chroot", "--format", "docker",
                "-f", Path.Combine(RepoPaths.Root, "deploy", "Dockerfile"), "--build-arg", $"BASE={BaseImage}",
                "-t", image, Path.GetDirectoryName(Path.GetDirectoryName(binary))!], TimeSpan.FromMinutes(10));
            var size = (await Command.CheckAsync("podman", ["image", "inspect", "--format", "{{.Size}}", image], TimeSpan.FromMinutes(1))).Stdout.Trim();
            output.WriteLine($"built {image} in {clock.Elapsed.TotalSeconds:F1} s, {long.Parse(size, CultureInfo.InvariantCulture) / 1e6:F0} MB");

            var config = (await Command.CheckAsync("podman", ["image", "inspect", "--format", "{{.Config.User}}|{{json .Config.Volumes}}|{{json .HealthCheck.Test}}", image], TimeSpan.FromMinutes(1))).Stdout;
            Assert.StartsWith("10001:10001|{\"/var/lib/tsdb\":{}}|", config, StringComparison.Ordinal);
            Assert.Contains("GET /health", config, StringComparison.Ordinal);

            // --runtime runc and lower rlimits: podman asks for RLIMIT_NOFILE/NPROC above this sandbox's hard limits,
            // which crun and runc may not set; --network host: the test reaches it on 127.0.0.1 without a bridge.
            var port = FreePort();
            var nofile = (await Command.CheckAsync("bash", ["-c", "ulimit -Hn"], TimeSpan.FromSeconds(10))).Stdout.Trim();
            clock.Restart();
            await Command.CheckAsync("podman", ["run", "-d", "--name", name, "--runtime", "runc",
                "--ulimit", $"nofile={nofile}:{nofile}", "--ulimit", "nproc=4096:4096", "--network", "host",
                "-e", $"TSDB_HTTP_BIND=127.0.0.1:{port}", "-v", $"{volume}:/var/lib/tsdb", image], TimeSpan.FromMinutes(2));

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitForHealthAsync(http, name);
            output.WriteLine($"/health answered 200 {clock.Elapsed.TotalSeconds:F1} s after podman run");
            var check = await Command.RunAsync("podman", ["healthcheck", "run", name], TimeSpan.FromMinutes(1));
            Assert.True(check.ExitCode == 0, $"the image's HEALTHCHECK failed ({check.ExitCode}): {check.Output}");
            Assert.Equal("10001", (await Command.CheckAsync("podman", ["exec", name, "id", "-u"], TimeSpan.FromMinutes(1))).Stdout.Trim());

            var logs = (await Command.CheckAsync("podman", ["logs", name], TimeSpan.FromMinutes(1))).Output;
            var token = TokenLine().Match(logs);
            Assert.True(token.Success, "no admin token in the log:\n" + logs);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Groups[1].Value);
            var write = await http.PostAsync("/api/v3/write_lp?db=deploy", new StringContent("cpu,host=container usage=0.75 1700000000000000000"));
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
            var csv = await http.GetStringAsync("/api/v3/query_sql?db=deploy&format=csv&q=" + Uri.EscapeDataString("SELECT host, usage FROM cpu"));
            Assert.Equal("host,usage\ncontainer,0.75\n", csv.ReplaceLineEndings("\n"));

            await Command.CheckAsync("podman", ["stop", "-t", "30", name], TimeSpan.FromMinutes(1));
            var exit = (await Command.CheckAsync("podman", ["inspect", "--format", "{{.State.ExitCode}}", name], TimeSpan.FromMinutes(1))).Stdout.Trim();
            var stopped = (await Command.CheckAsync("podman", ["logs", name], TimeSpan.FromMinutes(1))).Output;
            Assert.True(exit == "0", $"exit code {exit} after podman stop:\n{stopped}");
            Assert.Contains("WAL closed", stopped, StringComparison.Ordinal);
            Assert.True(Directory.Exists(await VolumePathAsync(volume, "wal")), "no WAL in the volume");
        }
        finally
        {
            await Command.RunAsync("podman", ["rm", "-f", name], TimeSpan.FromMinutes(1));
            await Command.RunAsync("podman", ["volume", "rm", "-f", volume], TimeSpan.FromMinutes(1));
            await Command.RunAsync("podman", ["rmi", "-f", image], TimeSpan.FromMinutes(1));
        }
    }

    private static async Task WaitForHealthAsync(HttpClient http, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            try
            {
                var response = await http.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline)
            {
                var logs = await Command.RunAsync("podman", ["logs", name], TimeSpan.FromMinutes(1));
                throw new TimeoutException("no 200 from /health in 2 minutes:\n" + logs.Output);
            }
            await Task.Delay(200);
        }
    }

    private static async Task<string> VolumePathAsync(string volume, string sub)
    {
        var mount = (await Command.CheckAsync("podman", ["volume", "inspect", "--format", "{{.Mountpoint}}", volume], TimeSpan.FromMinutes(1))).Stdout.Trim();
        return Path.Combine(mount, sub);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"admin token .*: (apiv3_\S+)")]
    private static partial Regex TokenLine();
}
