using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Tsdb.Flight.Transport;

/// <summary>
/// How a Flight call that fails with something other than an <see cref="RpcException"/> ends: a message nested in a
/// request (a command inside a descriptor's Any, a ticket's statement, a prepared-statement handle) that is not valid
/// protobuf is the client's error, INVALID_ARGUMENT wherever it is parsed; anything else is logged and answered as
/// INTERNAL with its message (Grpc.AspNetCore alone would say UNKNOWN "Exception was thrown by handler").
/// Cancellation of the call passes through: Grpc.AspNetCore turns it into DEADLINE_EXCEEDED or CANCELLED itself.
/// </summary>
public sealed class FlightErrorInterceptor(ILogger<FlightErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    private RpcException? Translate(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case RpcException:
                return null;
            case OutOfMemoryException:
                return RpcErrors.Of(StatusCode.ResourceExhausted, "the server ran out of memory for this call (other requests are using it); retry later, or ask for less data at once");
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return null;
            case Tsdb.Query.Chunks.DataUnavailableException:
                return RpcErrors.Of(StatusCode.Unavailable, ex.Message);
            case Tsdb.Wal.WalUnavailableException wal:
                // Nothing of the batch was stored: a full disk is RESOURCE_EXHAUSTED (retry once space is freed),
                // a stopped or closing WAL UNAVAILABLE.
                return RpcErrors.Of(wal.Reason == Tsdb.Wal.WalUnavailableReason.DiskFull ? StatusCode.ResourceExhausted : StatusCode.Unavailable, $"the write was not stored: {wal.Message}");
            case InvalidProtocolBufferException:
                return RpcErrors.Of(StatusCode.InvalidArgument, $"the request holds a message that is not valid protobuf: {ex.Message}");
            default:
                logger.LogError(ex, "Flight call {Method} failed", context.Method);
                return RpcErrors.Of(StatusCode.Internal, $"internal error: {ex.Message}");
        }
    }
}
