using Tsdb.Flight.Arrow;
using Tsdb.Grpc;

namespace Tsdb.Flight;

/// <summary>A small answer with nested types (GetSqlInfo, GetXdbcTypeInfo), sent as one batch.</summary>
internal sealed class NestedFlightResult(IReadOnlyList<NestedColumn> columns, int length) : IFlightResult
{
    public long TotalRecords => length;

    public byte[] SchemaStream() => FlightDataEncoding.SchemaStream(NestedBatchEncoder.EncodeSchema(columns));

    public async Task WriteAsync(GrpcCall call)
    {
        await call.WriteMessageAsync(FlightDataEncoding.Parts(NestedBatchEncoder.EncodeSchema(columns), [])).ConfigureAwait(false);
        var (metadata, body) = NestedBatchEncoder.EncodeBatch(columns, length);
        await call.WriteMessageAsync(FlightDataEncoding.Parts(metadata, body)).ConfigureAwait(false);
    }
}
