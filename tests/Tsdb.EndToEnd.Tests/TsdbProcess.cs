using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Tsdb.EndToEnd.Tests;

/// <summary>A running <c>tsdb serve</c> on 127.0.0.1:0 with its own data directory; stopped gracefully or killed.</summary>
internal sealed partial class TsdbProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _stdout = [];

    private TsdbProcess(Process process, string dataDir)
    {
        _process = process;
        DataDir = dataDir;
    }

    public string DataDir { get; }

    /// <summary>The server's process id (for /proc/PID/status: its resident memory).</summary>
    public int Pid => _process.Id;

    public Uri Url { get; private set; } = null!;

    /// <summary>The admin token printed at the first start (null on later starts or without auth).</summary>
    public string? AdminToken { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>The lines of standard output alone (<see cref="Output"/> holds standard error's too).</summary>
    public IReadOnlyList<string> StandardOutput
    {
        get
        {
            lock (_output)
            {
                return [.. _stdout];
            }
        }
    }

    public static string TsdbDll => Path.Combine(AppContext.BaseDirectory, "tsdb.dll");

    public static Task<TsdbProcess> StartAsync(string dataDir, params string[] extraArgs) =>
        StartAsync(dataDir, new Dictionary<string, string>(), extraArgs);

    /// <summary>Starts the server with extra environment variables (e.g. <c>DOTNET_GCHeapHardLimit</c>).</summary>
    public static async Task<TsdbProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        // Through env(1), which resets SIGINT to its default and execs dotnet (same PID): a test host started in the
        // background inherits SIGINT ignored, and the runtime leaves an ignored SIGINT ignored, as nohup expects.
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        foreach (var arg in new[] { TsdbDll, "serve", "--http-bind", "127.0.0.1:0", "--data-dir", dataDir }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        var server = new TsdbProcess(process, dataDir);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                listening.TrySetException(new InvalidOperationException("tsdb exited before listening:\n" + server.Output));
                return;
            }
            lock (server._output)
            {
                server._output.Add(line);
                server._stdout.Add(line);
            }
            if (TokenLine().Match(line) is { Success: true } token)
            {
                server.AdminToken = token.Groups[1].Value;
            }
            if (ListeningLine().Match(line) is { Success: true } m)
            {
                listening.TrySetResult(new Uri(m.Groups[1].Value));
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (server._output)
                {
                    server._output.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        server.Url = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        if ((token ?? AdminToken) is { } t)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", t);
        }
        return client;
    }

    /// <summary>SIGKILL: no chance to flush or clean up.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, then wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        _ = SysKill(_process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGINT, as Ctrl-C sends it.</summary>
    public void Interrupt() => _ = SysKill(_process.Id, 2);

    /// <summary>Waits for the process to exit by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
        await Task.CompletedTask;
    }

    // A URL or token ends at white space or, under --log-format json, at the message's closing quote.
    [GeneratedRegex(@"listening on (https?://[^\s""]+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"admin token .*: (apiv3_[^\s""]+)")]
    private static partial Regex TokenLine();

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);
}
