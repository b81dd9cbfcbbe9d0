using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tsdb.Core.IO;
using Tsdb.LineProtocol;
using Tsdb.ObjectStore;
using Tsdb.Query;
using Tsdb.Wal;

namespace Tsdb.Server.Http;

/// <summary>The one place that turns errors into HTTP responses, in the dialect of the endpoint.</summary>
internal static class HttpErrors
{
    public static Task Write(HttpContext context, ApiDialect dialect, int status, string message)
    {
        if (dialect == ApiDialect.Prometheus)
        {
            return status is 503 or 507
                ? PromJsonWriter.Error(context, "unavailable", message, status)
                : PromJsonWriter.Error(context, status switch { 401 => "unauthorized", 403 => "forbidden", 400 => "bad_data", 421 => "misdirected", _ => "internal" }, message);
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (dialect == ApiDialect.V2)
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new V2Error(V2Code(status), message), JsonContext.Relaxed.V2Error));
        }
        return context.Response.WriteAsync(JsonSerializer.Serialize(new V3Error(message), JsonContext.Relaxed.V3Error));
    }

    private static readonly byte[] OutOfMemoryBody = "{\"error\":\"the server ran out of memory for this request (other requests are using it); retry later, or ask for less data at once\"}"u8.ToArray();

    /// <summary>503 with a message prepared at startup: for when even formatting an error finds no memory.</summary>
    public static Task WriteOutOfMemory(HttpContext context)
    {
        context.Response.Clear();
        context.Response.StatusCode = 503;
        context.Response.Headers.RetryAfter = "5";
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(OutOfMemoryBody).AsTask();
    }

    /// <summary>
    /// Failures that no endpoint turned into an answer but that have a clear one: a full disk (507), the object
    /// store failing (503 when retrying may help, else 500), memory running out (503). Null for the rest: a bug, 500.
    /// </summary>
    public static (int Status, string Message, string? RetryAfter)? Classify(Exception e)
    {
        if (DiskErrors.IsOutOfSpace(e))
        {
            return (507, $"the disk is full: {e.Message}; retry once space is freed", "10");
        }
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case OutOfMemoryException:
                    return (503, "the server ran out of memory for this request (other requests are using it); retry later, or ask for less data at once", "5");
                case ObjectStoreException { IsTransient: true } store:
                    return (503, $"the object store is unavailable: {store.Message}", "10");
                case ObjectStoreException store:
                    return (500, $"the object store failed: {store.Message}", null);
            }
        }
        return null;
    }

    /// <summary>
    /// The status of a query's failure that is the request's or the moment's, not a bug (null for the rest): a bad
    /// query 400; data that cannot be read now (the object store) 503; the per-query memory limit 413; the process's
    /// memory budget in use by other work 503; too many queries at once 429. With the Retry-After that helps, for every
    /// query API that answers in a dialect of JSON.
    /// </summary>
    public static (int Status, string? RetryAfter)? QueryStatus(Exception e) => e switch
    {
        Tsdb.Query.Chunks.DataUnavailableException => (503, "1"),
        QueryException => (400, null),
        QueryLimitException { Limit: QueryLimit.Concurrency } => (429, "1"),
        QueryLimitException { Limit: QueryLimit.ProcessMemory } => (503, "5"),
        QueryLimitException => (413, null),
        _ => null,
    };

    /// <summary>Answers a failure that <see cref="QueryStatus"/> classifies, in the endpoint's dialect.</summary>
    public static Task WriteQueryError(HttpContext context, ApiDialect dialect, Exception e)
    {
        var (status, retryAfter) = QueryStatus(e) ?? throw new ArgumentException("not a query failure", nameof(e), e);
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
        return Write(context, dialect, status, e.Message);
    }

    /// <summary>
    /// A write the WAL refused (nothing of it was stored): 507 Insufficient Storage on a full disk and 503 while
    /// shutting down, both with Retry-After (clients retry 5xx); 500 once the WAL stopped (a restart is needed).
    /// </summary>
    public static Task WalUnavailable(HttpContext context, ApiDialect dialect, WalUnavailableException e)
    {
        var status = WalStatus(context, e);
        return Write(context, dialect, status, $"the write was not stored: {e.Message}");
    }

    /// <summary>The status of <see cref="WalUnavailable"/>, setting Retry-After where retrying helps.</summary>
    public static int WalStatus(HttpContext context, WalUnavailableException e)
    {
        var status = e.Reason switch
        {
            WalUnavailableReason.DiskFull => StatusCodes.Status507InsufficientStorage,
            WalUnavailableReason.ShutDown => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
        if (status != 500)
        {
            context.Response.Headers.RetryAfter = e.Reason == WalUnavailableReason.DiskFull ? "10" : "5";
        }
        return status;
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
        503 or 507 => "unavailable",
        _ => "internal error",
    };
}
