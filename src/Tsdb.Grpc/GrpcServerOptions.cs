namespace Tsdb.Grpc;

/// <summary>Limits of the gRPC framing.</summary>
public sealed record GrpcServerOptions
{
    /// <summary>Largest request message accepted; a bigger one ends the call with RESOURCE_EXHAUSTED before it is read.</summary>
    public int MaxReceiveMessageSize { get; init; } = 4 << 20;

    /// <summary>Response bytes gathered before the pipe is flushed to the connection.</summary>
    public int FlushThreshold { get; init; } = 64 << 10;
}
