using System.Text;
using Tsdb.Catalog;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>
/// Checks the <c>authorization</c> metadata of a call against the catalog's tokens, as InfluxDB 3 does
/// (protocols.md §4.4): <c>Bearer</c>, <c>Token</c>, or <c>Basic</c> with the token as password. No token:
/// UNAUTHENTICATED; an unknown one: PERMISSION_DENIED.
/// </summary>
internal sealed class FlightAuthenticator(Catalog.Catalog catalog, bool enabled)
{
    public bool Enabled => enabled;

    /// <summary>The caller's token, or null when authentication is off; throws the gRPC error otherwise.</summary>
    public TokenDefinition? Authenticate(ServerCallContext call, string? fallbackSecret = null)
    {
        if (!enabled)
        {
            return null;
        }
        var secret = SecretOf(call.RequestHeaders.GetValue("authorization")) ?? fallbackSecret;
        if (string.IsNullOrEmpty(secret))
        {
            throw RpcErrors.Of(StatusCode.Unauthenticated, "this server needs a token: send 'authorization: Bearer <token>'");
        }
        return catalog.Authenticate(secret) ?? throw RpcErrors.Of(StatusCode.PermissionDenied, "the token is not valid");
    }

    /// <summary>The token in an authorization value, or null when there is none; throws UNAUTHENTICATED when malformed.</summary>
    public static string? SecretOf(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space == header.Length - 1)
        {
            throw Malformed();
        }
        var scheme = header[..space];
        var credential = header[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Token", StringComparison.OrdinalIgnoreCase))
        {
            return credential;
        }
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = DecodeBasic(credential) ?? throw Malformed();
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? decoded : decoded[(colon + 1)..];
        }
        throw Malformed();
    }

    /// <summary>Base64 with or without padding (arrow-go sends it unpadded).</summary>
    private static string? DecodeBasic(string credential)
    {
        var padded = credential.PadRight(credential.Length + ((4 - (credential.Length % 4)) % 4), '=');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static RpcException Malformed() =>
        RpcErrors.Of(StatusCode.Unauthenticated, "the authorization metadata is malformed: use 'Bearer <token>', 'Token <token>' or Basic with the token as password");
}
