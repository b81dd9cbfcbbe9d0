using System.Text;
using Microsoft.AspNetCore.Http;
using Tsdb.Catalog;

namespace Tsdb.Server.Http;

/// <summary>
/// Finds the token of a request, as InfluxDB 3 clients send it: <c>Authorization: Bearer|Token &lt;t&gt;</c>,
/// Basic with the token as password, or the v1 <c>?p=</c> parameter on <c>/write</c> and <c>/query</c>.
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
        else if (request.Headers.Authorization is { Count: > 0 } header)
        {
            var value = header.ToString();
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == value.Length - 1)
            {
                return (Outcome.Malformed, null);
            }
            var scheme = value[..space];
            var credential = value[(space + 1)..];
            switch (scheme)
            {
                case "Bearer" or "Token":
                    secret = credential;
                    break;
                case "Basic":
                    try
                    {
                        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(credential));
                        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                        secret = colon < 0 ? decoded : decoded[(colon + 1)..];
                    }
                    catch (FormatException)
                    {
                        return (Outcome.Malformed, null);
                    }
                    break;
                default:
                    return (Outcome.Malformed, null);
            }
        }
        if (string.IsNullOrEmpty(secret))
        {
            return (Outcome.Missing, null);
        }
        var token = catalog.Authenticate(secret);
        return token is null ? (Outcome.Unknown, null) : (Outcome.Authenticated, token);
    }
}
