using System.CommandLine;

namespace Tsdb.Cli.Client;

/// <summary>The connection options every client command takes: <c>--host</c> (TSDB_HOST) and <c>--token</c> (TSDB_TOKEN).</summary>
internal sealed class ClientOptions
{
    public const string DefaultHost = "127.0.0.1:8181";

    public Option<string> Host { get; } = EnvOption.Text("--host", "TSDB_HOST", DefaultHost, "Server address, HOST:PORT or a URL (http:// is assumed)");

    public Option<string> Token { get; } = EnvOption.Text("--token", "TSDB_TOKEN", null, "An API token (not needed when the server runs --without-auth)");

    public void AddTo(Command command)
    {
        command.Options.Add(Host);
        command.Options.Add(Token);
    }

    public TsdbClient Connect(ParseResult parse) => new(HostAddress.Parse(parse.GetValue(Host)), parse.GetValue(Token));
}
