using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tsdb.Query;

namespace Tsdb.Server.Http;

/// <summary>
/// The outermost middleware: one log line per request (method, path, database, status, duration, bytes in and out;
/// never the query string, so never a token or the v1 <c>p</c> parameter), the query metrics of the HTTP query
/// APIs, and the one place where an unhandled exception is logged (once, with its stack trace) and turned into a
/// JSON 500.
/// </summary>
internal sealed partial class RequestLog(ILogger logger)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var grpc = TsdbHttpServer.IsGrpc(request.ContentType);
        CountingResponseBody? counting = null;
        if (!grpc)
        {
            // gRPC writes its own framing straight into the pipe; its calls are logged without a byte count.
            counting = new CountingResponseBody(context.Features.Get<IHttpResponseBodyFeature>()!);
            context.Features.Set<IHttpResponseBodyFeature>(counting);
        }
        var language = QueryLanguage(request.Path.Value);
        var queryStarted = language is null ? 0 : QueryMetrics.Start(language);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            // The client's fault, found while reading its request (a body slower than the minimum rate: 408, a
            // malformed chunked body: 400): its status and Kestrel's message, in the path's dialect; no stack trace.
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await HttpErrors.Write(context, AccessControl.DialectOf(request.Path.Value ?? ""), e.StatusCode, e.Message).ConfigureAwait(false);
            }
            else
            {
                context.Abort();
            }
        }
        catch (Exception e) when (!(e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // A full disk, an object store that is down and memory running out are conditions, not bugs: an answer
            // that says so (the request line logs the status), and a stack trace only for the rest.
            var known = HttpErrors.Classify(e);
            if (known is null)
            {
                LogUnhandled(logger, e, request.Method, request.Path.Value ?? "");
            }
            if (!context.Response.HasStarted)
            {
                try
                {
                    context.Response.Clear();
                    if (known is { } k)
                    {
                        if (k.RetryAfter is not null)
                        {
                            context.Response.Headers.RetryAfter = k.RetryAfter;
                        }
                        await HttpErrors.Write(context, AccessControl.DialectOf(request.Path.Value ?? ""), k.Status, k.Message).ConfigureAwait(false);
                    }
                    else
                    {
                        await HttpErrors.Write(context, ApiDialect.V3, 500, $"internal error: {e.Message}").ConfigureAwait(false);
                    }
                }
                catch (OutOfMemoryException) when (!context.Response.HasStarted)
                {
                    // Even the error message found no memory: a prepared answer needs none.
                    await HttpErrors.WriteOutOfMemory(context).ConfigureAwait(false);
                }
            }
            else
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away; nothing to answer.
            context.Response.StatusCode = 499;
        }
        finally
        {
            var status = context.Response.StatusCode;
            if (language is not null)
            {
                QueryMetrics.Stop(language, queryStarted, context.RequestAborted.IsCancellationRequested ? "cancelled" : QueryMetrics.StatusOf(status));
            }
            if (logger.IsEnabled(LogLevel.Information))
            {
                var query = request.Query;
                var db = query["db"].ToString() is { Length: > 0 } d ? d : query["bucket"].ToString();
                var milliseconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
                var bytesIn = request.ContentLength ?? -1;
                var bytesOut = counting?.Bytes ?? -1;
                LogRequest(logger, request.Method, request.Path.Value ?? "", db, status, milliseconds, bytesIn, bytesOut);
            }
        }
    }

    /// <summary>The query language of an HTTP query route, or null for other routes.</summary>
    internal static string? QueryLanguage(string? path) => path switch
    {
        "/api/v3/query_sql" => "sql",
        "/api/v3/query_influxql" or "/query" => "influxql",
        "/api/v1/query" or "/api/v1/query_range" => "promql",
        _ => null,
    };

    [LoggerMessage(EventId = 1, EventName = "request", Level = LogLevel.Information,
        Message = "{method} {path} status={status} duration_ms={duration_ms} db={database} bytes_in={bytes_in} bytes_out={bytes_out}")]
    private static partial void LogRequest(ILogger logger, string method, string path, string database, int status, double duration_ms, long bytes_in, long bytes_out);

    [LoggerMessage(EventId = 2, EventName = "unhandled", Level = LogLevel.Error, Message = "unhandled error in {method} {path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
