using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tsdb.Catalog;

namespace Tsdb.Server.Http;

/// <summary>
/// Token checks for every HTTP route, from the <see cref="RequiredAccess"/> declared where the route is mapped
/// (<see cref="RequireAccess{TBuilder}"/>): 401 for a missing, unknown or expired token, 403 when
/// <see cref="Permissions"/> says no, each in the route's error dialect. Admin and token-only routes are decided
/// here before the endpoint runs; a database-scoped route is refused here when the token has that action on no
/// database, and otherwise by <see cref="DemandAsync(HttpContext, string, ApiDialect)"/>, which the endpoint calls with the database(s) it resolved
/// (the name may be in a JSON or form body, or, in InfluxQL, in the statement). A route with no declaration needs
/// an admin token.
/// </summary>
internal static class AccessControl
{
    /// <summary>What a route needs, as endpoint metadata.</summary>
    internal sealed record RequiredAccess(Access Access);

    /// <summary>The caller's token and what the route needs, for <see cref="DemandAsync(HttpContext, string, ApiDialect)"/>.</summary>
    private sealed record Grant(TokenDefinition Token, Access Required);

    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, Access access)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredAccess(access));

    public static ApiDialect DialectOf(string path) =>
        path.StartsWith("/api/v2/", StringComparison.Ordinal) ? ApiDialect.V2
        : path.StartsWith("/api/v1/", StringComparison.Ordinal) ? ApiDialect.Prometheus
        : ApiDialect.V3;

    /// <summary>The middleware (installed only when authentication is on; gRPC calls are left to Flight's own checks).</summary>
    /// <param name="isOpen">Routes that need no token at all (probes, the 404 fallback, what --disable-authz opens).</param>
    public static Func<HttpContext, RequestDelegate, Task> Middleware(Catalog.Catalog catalog, TimeProvider time, Func<string?, bool> isGrpc, Func<Endpoint?, bool> isOpen) =>
        async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (isOpen(endpoint))
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            // gRPC calls are Flight's to check (and health and reflection are open); a gRPC content type on one of the
            // HTTP routes is not a way around their checks.
            if (isGrpc(context.Request.ContentType) && endpoint?.Metadata.GetMetadata<RequiredAccess>() is null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            // No route (a 404 follows) or routing's own rejection (405 for a method the path does not take): any valid
            // token, so that those answers reach authenticated callers. A mapped route without a declaration: admin.
            var required = endpoint is not Microsoft.AspNetCore.Routing.RouteEndpoint ? Access.Authenticated : endpoint.Metadata.GetMetadata<RequiredAccess>()?.Access ?? Access.Admin;
            if (required == Access.Public)
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            var dialect = DialectOf(context.Request.Path.Value ?? "");
            var (outcome, token) = Authenticator.Authenticate(context.Request, catalog);
            switch (outcome)
            {
                case Authenticator.Outcome.Malformed:
                    await HttpErrors.Write(context, dialect, 400, "Authorization header was malformed: use 'Bearer <token>', 'Token <token>' or Basic with the token as password").ConfigureAwait(false);
                    return;
                case Authenticator.Outcome.Missing or Authenticator.Outcome.Unknown:
                    await HttpErrors.Write(context, dialect, 401, "the request was not authenticated").ConfigureAwait(false);
                    return;
            }
            if (token!.IsExpired(time.GetUtcNow()))
            {
                await HttpErrors.Write(context, dialect, 401, $"the token '{token.Name}' expired at {token.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}").ConfigureAwait(false);
                return;
            }
            if (Permissions.Denial(token, required, database: null) is { } denial)
            {
                await HttpErrors.Write(context, dialect, 403, denial).ConfigureAwait(false);
                return;
            }
            context.Features.Set(new Grant(token, required));
            await next(context).ConfigureAwait(false);
        };

    /// <summary>
    /// True when the caller may do what the route needs on <paramref name="database"/> (always, without
    /// authentication); otherwise writes the 403 in <paramref name="dialect"/> and returns false.
    /// </summary>
    public static async Task<bool> DemandAsync(HttpContext context, string database, ApiDialect dialect)
    {
        if (context.Features.Get<Grant>() is not { } grant || Permissions.Denial(grant.Token, grant.Required, database) is not { } denial)
        {
            return true;
        }
        await HttpErrors.Write(context, dialect, 403, denial).ConfigureAwait(false);
        return false;
    }

    /// <summary>As <see cref="DemandAsync(HttpContext, string, ApiDialect)"/> for an access the route itself does not need (SQL's DELETE on the query route).</summary>
    public static async Task<bool> DemandAsync(HttpContext context, string database, ApiDialect dialect, Access access)
    {
        if (context.Features.Get<Grant>() is not { } grant || Permissions.Denial(grant.Token, access, database) is not { } denial)
        {
            return true;
        }
        await HttpErrors.Write(context, dialect, 403, denial).ConfigureAwait(false);
        return false;
    }

    /// <summary>Whether the caller may do <paramref name="access"/> on <paramref name="database"/>, for lists that show only what the token may see.</summary>
    public static bool Allows(HttpContext context, Access access, string database) =>
        context.Features.Get<Grant>() is not { } grant || Permissions.Denial(grant.Token, access, database) is null;

    /// <summary>The caller's token, or null without authentication.</summary>
    public static TokenDefinition? TokenOf(HttpContext context) => context.Features.Get<Grant>()?.Token;
}
