using Microsoft.AspNetCore.Http;
using Tsdb.Catalog;

namespace Tsdb.Server.Http;

/// <summary>
/// Finds the token of a request, as InfluxDB 3 clients send it: <c>Authorization: Bearer|Token &lt;t&gt;</c>,
/// Basic with the token as password (read by <see cref="AuthorizationHeader"/>, as Flight reads them), or the v1
/// <c>?p=</c> parameter on <c>/write</c> and <c>/query</c>.
/// </summary>
internal static class Authenticator
{
    public enum Outcome
    {
        Authenticated,
        Missing,
        Malformed,
        Unknown,
    }

    public static (Outcome Outcome, TokenDefinition? Token) Authenticate(HttpRequest request, Catalog.Catalog catalog)
    {
        string? secret = null;
        var path = request.Path.Value ?? "";
        if ((path == "/write" || path == "/query") && request.Query["p"] is { Count: > 0 } p && !string.IsNullOrEmpty(p[0]))
        {
            secret = p[0];
        }
        else if (request.Headers.Authorization is { Count: > 0 } header && !AuthorizationHeader.TryGetSecret(header.ToString(), out secret))
        {
            return (Outcome.Malformed, null);
        }
        if (string.IsNullOrEmpty(secret))
        {
            return (Outcome.Missing, null);
        }
        var token = catalog.Authenticate(secret);
        return token is null ? (Outcome.Unknown, null) : (Outcome.Authenticated, token);
    }
}
