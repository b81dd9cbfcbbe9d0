using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Tsdb.Grpc;

/// <summary>
/// Takes the requests whose content-type is <c>application/grpc[+proto]</c>, routes them by path to a
/// <see cref="GrpcHandler"/>, and turns how the handler ends into <c>grpc-status</c> / <c>grpc-message</c>:
/// in the trailers after messages were sent, in the headers alone when none were (trailers-only).
/// Other requests pass to the next middleware.
/// </summary>
public sealed class GrpcMiddleware(RequestDelegate next, GrpcServiceRegistry registry, GrpcServerOptions options, ILogger<GrpcMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsGrpc(context.Request.ContentType))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        if (!context.Request.Protocol.StartsWith("HTTP/2", StringComparison.Ordinal))
        {
            // Without HTTP/2 there are no trailers to carry a status.
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "h2c";
            return;
        }
        // A streaming call may sit idle or run long: no body size or minimum data rate applies to the stream as a
        // whole (each message is bounded by MaxReceiveMessageSize instead).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
        var path = context.Request.Path.Value ?? "";
        var deadline = context.Request.Headers["grpc-timeout"] is { Count: > 0 } t ? t[0] : null;
        TimeSpan? timeout = null;
        if (deadline is not null)
        {
            if (!GrpcTimeout.TryParse(deadline, out var parsed))
            {
                Finish(context, null, GrpcStatusCode.Internal, $"malformed grpc-timeout header '{deadline}'");
                return;
            }
            timeout = parsed;
        }
        using var deadlineSource = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadlineSource.Token);
        if (timeout is { } span)
        {
            deadlineSource.CancelAfter(span);
        }
        var call = new GrpcCall(context, path, options, linked.Token);
        if (!registry.TryGet(path, out var handler))
        {
            Finish(context, call, GrpcStatusCode.Unimplemented, $"unknown method {path}");
            return;
        }
        GrpcStatusCode status;
        string? message = null;
        try
        {
            await handler(call).ConfigureAwait(false);
            status = GrpcStatusCode.OK;
        }
        catch (GrpcException ex)
        {
            status = ex.Status;
            message = ex.Message;
        }
        catch (OperationCanceledException) when (deadlineSource.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            status = GrpcStatusCode.DeadlineExceeded;
            message = "the deadline passed before the call finished";
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream or went away: nobody is left to tell.
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "gRPC call {Method} failed", path);
            status = GrpcStatusCode.Internal;
            message = $"internal error: {ex.Message}";
        }
        if (call.HeadersSent && status == GrpcStatusCode.OK)
        {
            try
            {
                await call.FlushAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadlineSource.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                status = GrpcStatusCode.DeadlineExceeded;
                message = "the deadline passed before the call finished";
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        Finish(context, call, status, message);
    }

    internal static bool IsGrpc(string? contentType) =>
        contentType is not null
        && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == 16 || contentType[16] is '+' or ';');

    private static void Finish(HttpContext context, GrpcCall? call, GrpcStatusCode status, string? message)
    {
        var response = context.Response;
        if (call?.HeadersSent == true)
        {
            response.AppendTrailer("grpc-status", ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(message))
            {
                response.AppendTrailer("grpc-message", GrpcMessageText.Encode(message));
            }
            return;
        }
        // Trailers-only: one HEADERS frame with END_STREAM carrying the status.
        response.StatusCode = 200;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(message))
        {
            response.Headers["grpc-message"] = GrpcMessageText.Encode(message);
        }
    }
}
