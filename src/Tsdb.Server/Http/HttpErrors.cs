using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.LineProtocol;

namespace Tsdb.Server.Http;

/// <summary>The one place that turns errors into HTTP responses, in the dialect of the endpoint.</summary>
internal static class HttpErrors
{
    public static Task Write(HttpContext context, ApiDialect dialect, int status, string message)
    {
        if (dialect == ApiDialect.Prometheus)
        {
            return PromJsonWriter.Error(context, status switch { 401 => "unauthorized", 403 => "forbidden", 400 => "bad_data", 421 => "misdirected", 503 => "unavailable", _ => "internal" }, message);
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (dialect == ApiDialect.V2)
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new V2Error(V2Code(status), message), JsonContext.Relaxed.V2Error));
        }
        return context.Response.WriteAsync(JsonSerializer.Serialize(new V3Error(message), JsonContext.Relaxed.V3Error));
    }

    /// <summary>Lines refused by a write: InfluxDB 3's shapes for v3/v1, one combined message for v2.</summary>
    public static Task WriteLineErrors(HttpContext context, ApiDialect dialect, int status, IReadOnlyList<LineError> errors, bool rejectedWhole)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (dialect == ApiDialect.V2)
        {
            var text = string.Join("; ", errors.Select(e => $"line {e.LineNumber}: {e.Message} ({e.OriginalLine})"));
            var message = rejectedWhole
                ? $"failed to parse line protocol: {text}"
                : $"partial write of line protocol occurred: {errors.Count} line(s) rejected: {text}";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new V2Error(V2Code(status), message), JsonContext.Relaxed.V2Error));
        }
        var items = errors.Select(e => new LineErrorItem(e.OriginalLine, e.LineNumber, e.Message)).ToList();
        if (rejectedWhole)
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new WholeWriteError("parsing failed for write_lp endpoint", items[0]), JsonContext.Relaxed.WholeWriteError));
        }
        return context.Response.WriteAsync(JsonSerializer.Serialize(new PartialWriteError("partial write of line protocol occurred", items), JsonContext.Relaxed.PartialWriteError));
    }

    private static string V2Code(int status) => status switch
    {
        400 => "invalid",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        413 => "request too large",
        422 => "unprocessable entity",
        503 => "unavailable",
        _ => "internal error",
    };
}
