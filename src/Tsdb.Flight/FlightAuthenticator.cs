using System.Text;
using Tsdb.Catalog;
using Tsdb.Grpc;

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
    public TokenDefinition? Authenticate(GrpcCall call, string? fallbackSecret = null)
    {
        if (!enabled)
        {
            return null;
        }
        var secret = SecretOf(call.GetHeader("authorization")) ?? fallbackSecret;
        if (string.IsNullOrEmpty(secret))
        {
            throw new GrpcException(GrpcStatusCode.Unauthenticated, "this server needs a token: send 'authorization: Bearer <token>'");
        }
        return catalog.Authenticate(secret) ?? throw new GrpcException(GrpcStatusCode.PermissionDenied, "the token is not valid");
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

    private static GrpcException Malformed() =>
        new(GrpcStatusCode.Unauthenticated, "the authorization metadata is malformed: use 'Bearer <token>', 'Token <token>' or Basic with the token as password");
}
