namespace Tsdb.Grpc;

/// <summary>Serves one call: reads request messages and writes response messages through <paramref name="call"/>.</summary>
public delegate Task GrpcHandler(GrpcCall call);
