using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>The error a call ends with: a gRPC status and a message for the user, thrown as an <see cref="RpcException"/>.</summary>
internal static class RpcErrors
{
    public static RpcException Of(StatusCode code, string message) => new(new Status(code, message));
}
