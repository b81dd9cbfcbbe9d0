using Microsoft.AspNetCore.Builder;

namespace Tsdb.Grpc;

public static class GrpcApplicationBuilderExtensions
{
    /// <summary>Serves the gRPC methods of <paramref name="registry"/>; put it before middleware that answers in other dialects.</summary>
    public static IApplicationBuilder UseGrpc(this IApplicationBuilder app, GrpcServiceRegistry registry, GrpcServerOptions? options = null) =>
        app.UseMiddleware<GrpcMiddleware>(registry, options ?? new GrpcServerOptions());
}
