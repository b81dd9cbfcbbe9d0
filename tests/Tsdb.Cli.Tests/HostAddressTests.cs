using Tsdb.Cli.Client;

namespace Tsdb.Cli.Tests;

public sealed class HostAddressTests
{
    [Theory]
    [InlineData("localhost:8181", "http://localhost:8181/")]
    [InlineData("127.0.0.1:8181", "http://127.0.0.1:8181/")]
    [InlineData("http://127.0.0.1:8181", "http://127.0.0.1:8181/")]
    [InlineData("https://db.example:443/", "https://db.example/")]
    [InlineData("http://proxy:80/tsdb", "http://proxy/tsdb/")]
    [InlineData("  localhost:8181  ", "http://localhost:8181/")]
    [InlineData("[::1]:8181", "http://[::1]:8181/")]
    public void Hosts_with_or_without_a_scheme(string text, string expected)
    {
        Assert.Equal(expected, HostAddress.Parse(text).ToString());
    }

    [Theory]
    [InlineData("", "--host (or TSDB_HOST) is empty: give the server's address, e.g. localhost:8181")]
    [InlineData("ftp://x:21", "'ftp://x:21' is not a server address: use HOST:PORT or http(s)://HOST:PORT")]
    [InlineData("local host:1", "'local host:1' is not a server address: use HOST:PORT or http(s)://HOST:PORT")]
    public void Bad_hosts_say_what_is_expected(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<CliException>(() => HostAddress.Parse(text)).Message);
    }
}
