using Microsoft.AspNetCore.Http;

namespace Tsdb.Server.Http;

/// <summary>
/// Prometheus' probe routes (<c>/-/healthy</c>, <c>/-/ready</c>, open without a token as in Prometheus, for
/// orchestrators) and the JSON 404 for routes that do not exist.
/// </summary>
internal static class ProbeEndpoints
{
    /// <summary>200 while the process serves HTTP at all.</summary>
    public static Task Healthy(HttpContext context) => Text(context, 200, "tsdb is Healthy.\n");

    /// <summary>200 once the catalog is loaded, the WAL replayed and writes accepted; 503 before and while stopping.</summary>
    public static Task Ready(HttpContext context, ServerReadiness readiness) =>
        readiness.IsReady ? Text(context, 200, "tsdb is Ready.\n") : Text(context, 503, "Service Unavailable\n");

    public static Task NotFound(HttpContext context) =>
        HttpErrors.Write(context, ApiDialect.V3, 404, $"not found: {context.Request.Method} {context.Request.Path}");

    private static Task Text(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(body);
    }
}
