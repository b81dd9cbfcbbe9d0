using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>What a ticket or command answers: a schema (for FlightInfo and GetSchema) and a stream of FlightData.</summary>
internal interface IFlightResult
{
    /// <summary>The schema as an IPC stream (schema message + end-of-stream), the form FlightInfo.schema carries.</summary>
    byte[] SchemaStream();

    long TotalRecords { get; }

    Task WriteAsync(IServerStreamWriter<Protocol.FlightData> output, CancellationToken cancellationToken);
}
