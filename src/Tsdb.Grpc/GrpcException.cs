namespace Tsdb.Grpc;

/// <summary>Ends a call with a status other than OK; the message reaches the client as <c>grpc-message</c>.</summary>
public sealed class GrpcException : Exception
{
    public GrpcException(GrpcStatusCode status, string message) : base(message) => Status = status;

    public GrpcException(GrpcStatusCode status, string message, Exception inner) : base(message, inner) => Status = status;

    public GrpcException()
    {
    }

    public GrpcException(string message) : base(message) => Status = GrpcStatusCode.Unknown;

    public GrpcException(string message, Exception innerException) : base(message, innerException) => Status = GrpcStatusCode.Unknown;

    public GrpcStatusCode Status { get; }
}
