using Tsdb.Testing.Host;

namespace Tsdb.EndToEnd.Tests;

/// <summary>One in-process tsdb server (auth on, its own temporary data directory) for all the tests of a class.</summary>
public abstract class ServerPerClass(string name) : IAsyncLifetime
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory($"tsdb-e2e-{name}-").FullName;

    private protected InProcessServer Server { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await InProcessTsdb.StartAsync(Path.Combine(Dir, "data"));
        Http = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
