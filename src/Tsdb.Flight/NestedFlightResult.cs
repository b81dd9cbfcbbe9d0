using Tsdb.Flight.Arrow;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>A small answer with nested types (GetSqlInfo, GetXdbcTypeInfo), sent as one batch.</summary>
internal sealed class NestedFlightResult(IReadOnlyList<NestedColumn> columns, int length) : IFlightResult
{
    public long TotalRecords => length;

    public byte[] SchemaStream() => FlightDataEncoding.SchemaStream(NestedBatchEncoder.EncodeSchema(columns));

    public async Task WriteAsync(IServerStreamWriter<Protocol.FlightData> output, CancellationToken cancellationToken)
    {
        await output.WriteAsync(Protocol.FlightData.Encoded(FlightDataEncoding.Parts(NestedBatchEncoder.EncodeSchema(columns), [])), cancellationToken).ConfigureAwait(false);
        var (metadata, body) = NestedBatchEncoder.EncodeBatch(columns, length);
        await output.WriteAsync(Protocol.FlightData.Encoded(FlightDataEncoding.Parts(metadata, body)), cancellationToken).ConfigureAwait(false);
    }
}
