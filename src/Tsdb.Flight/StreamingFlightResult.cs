using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Flight.Arrow;
using Tsdb.Flight.Protocol;
using Grpc.Core;
using Tsdb.Query;

namespace Tsdb.Flight;

/// <summary>
/// A DoGet answer sent while the engine produces it (<see cref="Tsdb.Query.Sql.SqlEngine.ExecuteStreamAsync"/>): the schema is
/// taken from the first batch (or from the query's shape when there are no rows) and every batch goes out in slices
/// as it arrives, so memory stays flat in the result size. Tags go out as utf8 unless the client asked to keep dictionaries
/// (then a batch with a new dictionary sends it as a replacement dictionary batch). A later batch whose column
/// types differ from the first one's ends the call with INTERNAL rather than send data that does not match the schema.
/// <c>annotate</c> adds what the front end knows about the columns (InfluxQL's tag columns) to the schema sent.
/// </summary>
internal sealed class StreamingFlightResult(QueryStream stream, bool decodeDictionaries, int targetBytes, Func<Schema, Schema>? annotate = null) : IFlightResult
{
    public long TotalRecords => -1;

    public byte[] SchemaStream() => FlightDataEncoding.SchemaStream(new IpcEncoder(Plan(stream.Schema).Schema).EncodeSchema().Metadata);

    public async Task WriteAsync(IServerStreamWriter<FlightData> output, CancellationToken cancellationToken)
    {
        await using (stream.ConfigureAwait(false))
        {
            ArrowFlightResult? plan = null;
            IpcEncoder? encoder = null;
            Schema? first = null;
            await foreach (var batch in stream.ReadAllAsync().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (plan is null)
                {
                    first = batch.Schema;
                    plan = Plan(first);
                    encoder = new IpcEncoder(plan.Schema);
                    await output.WriteAsync(FlightData.Encoded(FlightDataEncoding.Parts(encoder.EncodeSchema())), cancellationToken).ConfigureAwait(false);
                }
                else if (!SameTypes(first!, batch.Schema))
                {
                    throw RpcErrors.Of(StatusCode.Internal, "the query's batches changed column types mid-stream; run it with ORDER BY to get it computed whole");
                }
                await plan.WriteBatchAsync(output, encoder!, batch, cancellationToken).ConfigureAwait(false);
            }
            if (plan is null)
            {
                plan = Plan(stream.Schema);
                await output.WriteAsync(FlightData.Encoded(FlightDataEncoding.Parts(new IpcEncoder(plan.Schema).EncodeSchema())), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private ArrowFlightResult Plan(Schema schema) => new(annotate is null ? schema : annotate(schema), [], decodeDictionaries, targetBytes);

    private static bool SameTypes(Schema a, Schema b)
    {
        if (a.FieldCount != b.FieldCount)
        {
            return false;
        }
        for (var c = 0; c < a.FieldCount; c++)
        {
            if (!a[c].Type.Equals(b[c].Type))
            {
                return false;
            }
        }
        return true;
    }
}
