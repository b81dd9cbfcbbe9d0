using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tsdb.Server.Http;

/// <summary>
/// Prometheus' probe routes (<c>/-/healthy</c>, <c>/-/ready</c>, open without a token as in Prometheus, for
/// orchestrators) and the JSON 404 for routes that do not exist.
/// </summary>
internal static class ProbeEndpoints
{
    /// <summary>200 while the process serves HTTP, unless only a restart can help (the WAL stopped after an I/O error).</summary>
    public static Task Healthy(HttpContext context, ServerReadiness readiness) =>
        readiness.NeedsRestart
            ? Text(context, 503, $"tsdb is Unhealthy: {readiness.WalProblem}\n")
            : Text(context, 200, "tsdb is Healthy.\n");

    /// <summary>
    /// 200 once the catalog is loaded, the WAL replayed and writes accepted; 503 before, while stopping, and while the
    /// WAL cannot take writes (its disk is full: ready again once space is freed).
    /// </summary>
    public static Task Ready(HttpContext context, ServerReadiness readiness)
    {
        if (!readiness.IsReady)
        {
            return Text(context, 503, "Service Unavailable\n");
        }
        return readiness.WalProblem is { } problem ? Text(context, 503, $"Service Unavailable: {problem}\n") : Text(context, 200, "tsdb is Ready.\n");
    }

    /// <summary>
    /// What no route took: 405 with <c>Allow</c> when the path is a route that takes other methods (the fallback
    /// route catches every method, so routing's own 405 never comes), else 404; in the path's API dialect.
    /// </summary>
    public static Task NotFound(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var dialect = AccessControl.DialectOf(path);
        var allowed = AllowedMethods(context, path);
        if (allowed.Count > 0)
        {
            context.Response.Headers.Allow = string.Join(", ", allowed);
            return HttpErrors.Write(context, dialect, 405, $"method {context.Request.Method} is not allowed for {path}; use {string.Join(" or ", allowed)}");
        }
        return HttpErrors.Write(context, dialect, 404, $"not found: {context.Request.Method} {path}");
    }

    private static List<string> AllowedMethods(HttpContext context, string path)
    {
        var methods = new List<string>();
        if (context.RequestServices.GetService(typeof(EndpointDataSource)) is not EndpointDataSource source)
        {
            return methods;
        }
        // "/" has no segments (the web UI's page is the route there).
        var segments = path.Trim('/') is { Length: > 0 } trimmed ? trimmed.Split('/') : [];
        foreach (var endpoint in source.Endpoints)
        {
            if (endpoint is RouteEndpoint route && route.Metadata.GetMetadata<IHttpMethodMetadata>() is { } verbs && Matches(route.RoutePattern, segments))
            {
                methods.AddRange(verbs.HttpMethods.Where(m => !methods.Contains(m)));
            }
        }
        return methods;
    }

    /// <summary>A literal-and-parameter pattern (no catch-all) against the path's segments.</summary>
    private static bool Matches(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern, string[] segments)
    {
        if (pattern.PathSegments.Count != segments.Length || pattern.Parameters.Any(p => p.IsCatchAll))
        {
            return false;
        }
        for (var i = 0; i < segments.Length; i++)
        {
            var parts = pattern.PathSegments[i].Parts;
            if (parts is [Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal] && !string.Equals(literal.Content, segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }

    private static Task Text(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(body);
    }
}
