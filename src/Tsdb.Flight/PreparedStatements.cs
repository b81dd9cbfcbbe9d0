using Google.Protobuf;
using Tsdb.Flight.Protocol.Iox;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>
/// Prepared statements are stateless, as in InfluxDB 3: the handle is a <c>FlightSqlPreparedStatementHandle</c>
/// carrying the query and, once DoPut has bound them, the parameters as an Arrow IPC stream. Binding returns a new
/// handle (DoPutPreparedStatementResult) that the client adopts; closing has nothing to free.
/// </summary>
internal static class PreparedStatements
{
    public static ByteString Encode(string query, byte[]? parameters)
    {
        var handle = new FlightSqlPreparedStatementHandle { Query = query };
        if (parameters is not null)
        {
            handle.Params = ByteString.CopyFrom(parameters);
        }
        return handle.ToByteString();
    }

    public static FlightSqlPreparedStatementHandle Decode(ByteString handle)
    {
        try
        {
            return FlightSqlPreparedStatementHandle.Parser.ParseFrom(handle);
        }
        catch (InvalidProtocolBufferException)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, "the prepared statement handle is not one this server issued");
        }
    }
}
