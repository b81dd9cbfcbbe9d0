using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Tsdb.ObjectStore;

public sealed partial class S3ObjectStore
{
    private static readonly HashSet<string> TransientErrorCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed",
        "InternalError", "ServiceUnavailable", "OperationAborted",
    };

    /// <summary>
    /// Everything the SDK or the network throws becomes an <see cref="ObjectStoreException"/>, except the
    /// caller's own cancellation (left as it is) and our own exceptions.
    /// </summary>
    private static bool ShouldWrap(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException => !ct.IsCancellationRequested, // a timeout, not the caller giving up
        ObjectStoreException or ObjectNotFoundException or ArgumentException => false,
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    private static ObjectStoreException Failure(ObjectStoreOperation operation, string key, Exception e) =>
        Failure(operation.ToString(), key, e);

    private static ObjectStoreException Failure(string operation, string key, Exception e)
    {
        var detail = e is AmazonServiceException service && service.StatusCode != 0
            ? $"HTTP {(int)service.StatusCode} {service.ErrorCode}: {service.Message}"
            : e is OperationCanceledException ? $"timed out ({e.Message})" : e.Message;
        return new ObjectStoreException($"S3 {operation} of '{key}' failed: {detail}", IsTransient(e), e);
    }

    private static bool IsTransient(Exception e)
    {
        if (e is AmazonServiceException service && service.StatusCode != 0)
        {
            var status = (int)service.StatusCode;
            return status >= 500
                || service.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
                || (service.ErrorCode is { } code && TransientErrorCodes.Contains(code));
        }
        // No HTTP answer: the connection failed, dropped or timed out somewhere on the way.
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException)
            {
                return true;
            }
        }
        return false;
    }
}
