using Tsdb.Catalog;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>
/// Checks the <c>authorization</c> metadata of a call against the catalog's tokens, as InfluxDB 3 does
/// (protocols.md §4.4): <c>Bearer</c>, <c>Token</c>, or <c>Basic</c> with the token as password. No token:
/// UNAUTHENTICATED; an unknown one: PERMISSION_DENIED (as InfluxDB 3 answers); an expired one: UNAUTHENTICATED.
/// What a call needs of the token is decided by <see cref="Permissions"/>, as for HTTP; a refusal is PERMISSION_DENIED.
/// Every gRPC service of the server (Flight, OTLP metrics) checks its calls with it.
/// </summary>
public sealed class FlightAuthenticator(Catalog.Catalog catalog, bool enabled, TimeProvider time)
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
        var token = catalog.Authenticate(secret) ?? throw RpcErrors.Of(StatusCode.PermissionDenied, "the token is not valid");
        if (token.IsExpired(time.GetUtcNow()))
        {
            throw RpcErrors.Of(StatusCode.Unauthenticated, $"the token '{token.Name}' expired at {token.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}");
        }
        return token;
    }

    /// <summary>
    /// Authenticates the call and checks that its token may do <paramref name="access"/> on <paramref name="database"/>
    /// (null: on some database); throws PERMISSION_DENIED otherwise. Returns the token (null when authentication is off).
    /// </summary>
    public TokenDefinition? Authorize(ServerCallContext call, Access access, string? database)
    {
        var token = Authenticate(call);
        if (token is not null && Permissions.Denial(token, access, string.IsNullOrEmpty(database) ? null : database) is { } denial)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, denial);
        }
        return token;
    }

    /// <summary>The token in an authorization value, or null when there is none; throws UNAUTHENTICATED when malformed.</summary>
    public static string? SecretOf(string? header) =>
        AuthorizationHeader.TryGetSecret(header, out var secret) ? secret : throw Malformed();

    private static RpcException Malformed() =>
        RpcErrors.Of(StatusCode.Unauthenticated, "the authorization metadata is malformed: use 'Bearer <token>', 'Token <token>' or Basic with the token as password");
}
