using Grpc.Core;
using Tsdb.Catalog;
using Tsdb.Core.Cluster;
using Tsdb.Flight;
using Tsdb.Otlp;
using Tsdb.Wal;

namespace Tsdb.Server.Http;

/// <summary>
/// OTLP/gRPC metrics: <c>opentelemetry.proto.collector.metrics.v1.MetricsService/Export</c> on the server's one port
/// (h2c or TLS, as Flight), what SDKs and the Collector send by default. The same ingest as OTLP/HTTP
/// (<see cref="OtlpIngester"/>); the database is the <c>database</c> metadata (as for Flight; default
/// <c>prometheus</c>), the token the <c>authorization</c> metadata, and a write permission on the database is needed.
/// Errors are the statuses the OTLP spec gives retry meaning to: INVALID_ARGUMENT for a request that cannot be
/// stored (not retried), UNAVAILABLE when the buffer is full or the WAL cannot write (retried), and a partial success
/// in the response for refused points. The message is handled as bytes so that the OTLP decoder (and its limits) is
/// the one that reads it.
/// </summary>
internal sealed class OtlpGrpcService(OtlpIngester ingester, FlightAuthenticator auth, ServerOptions options) : OtlpMetricsServiceBase
{
    public override async Task<byte[]> Export(byte[] request, ServerCallContext context)
    {
        if (!options.Roles.HasFlag(NodeRoles.Ingest))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, RoleGate.Message(options, NodeRoles.Ingest)));
        }
        var database = context.RequestHeaders.GetValue("database") is { Length: > 0 } named ? named : "prometheus";
        auth.Authorize(context, Access.Write, database);
        OtlpOutcome outcome;
        try
        {
            // Not cancelled with the call: once handed to the WAL, the write completes.
            outcome = await ingester.WriteAsync(database, request, OtlpEncoding.Protobuf, CancellationToken.None).ConfigureAwait(false);
        }
        catch (WalUnavailableException e)
        {
            Tsdb.Ingest.WriteMetrics.Record("otlp", "error", 0, 0, request.Length);
            throw new RpcException(new Status(StatusCode.Unavailable, $"the write was not stored: {e.Message}"));
        }
        OtlpEndpoint.RecordMetrics(outcome, request.Length);
        return outcome.Status switch
        {
            OtlpStatus.Ok => OtlpIngester.EncodeResponse(outcome, OtlpEncoding.Protobuf),
            OtlpStatus.Overloaded => throw new RpcException(new Status(StatusCode.Unavailable, outcome.Message!)),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, outcome.Message!)),
        };
    }
}

/// <summary>
/// The service's binding, as generated code would write it: Grpc.AspNetCore finds the handler as an override of
/// <see cref="Export"/> on the derived class, below the type that carries the attribute.
/// </summary>
[BindServiceMethod(typeof(OtlpMetricsServiceBase), nameof(BindService))]
internal abstract class OtlpMetricsServiceBase
{
    public const string ServiceName = "opentelemetry.proto.collector.metrics.v1.MetricsService";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private static readonly Method<byte[], byte[]> ExportMethod = new(MethodType.Unary, ServiceName, "Export", Bytes, Bytes);

    public abstract Task<byte[]> Export(byte[] request, ServerCallContext context);

    /// <summary>Called by Grpc.AspNetCore to learn the methods (with a null service) and to bind them.</summary>
    public static void BindService(ServiceBinderBase binder, OtlpMetricsServiceBase? service) =>
        binder.AddMethod(ExportMethod, service is null ? null : service.Export);
}
