namespace Tsdb.Cli.Client;

/// <summary>Turns <c>--host</c> / <c>TSDB_HOST</c> into a base URL: <c>localhost:8181</c> means <c>http://localhost:8181/</c>.</summary>
internal static class HostAddress
{
    public static Uri Parse(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new CliException("--host (or TSDB_HOST) is empty: give the server's address, e.g. localhost:8181", 2);
        }
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            throw new CliException($"'{text}' is not a server address: use HOST:PORT or http(s)://HOST:PORT", 2);
        }
        // A path (a server behind a reverse proxy under /tsdb) is kept; the API paths are relative to it.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }
}
