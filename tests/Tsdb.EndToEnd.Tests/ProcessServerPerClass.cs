namespace Tsdb.EndToEnd.Tests;

/// <summary>One <c>tsdb serve</c> process for all the tests of a class, for tests that read its log; most use <see cref="ServerPerClass"/>.</summary>
public abstract class ProcessServerPerClass(string name) : IAsyncLifetime
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory($"tsdb-e2e-{name}-").FullName;

    private protected TsdbProcess Server { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TsdbProcess.StartAsync(Path.Combine(Dir, "data"));
        Http = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
