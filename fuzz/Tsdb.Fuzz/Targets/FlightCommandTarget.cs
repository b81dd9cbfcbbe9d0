using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tsdb.Flight;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a FlightDescriptor's <c>cmd</c> bytes as GetFlightInfo reads them (an Any with a Flight SQL type URL),
/// then <c>FlightSqlCommands.Statement</c> (statement query, or prepared-statement handle with its Arrow IPC
/// parameters through <c>QueryParameters.FromIpcStream</c>). Only <see cref="RpcException"/> and
/// <see cref="InvalidProtocolBufferException"/> (answered INVALID_ARGUMENT by <c>FlightErrorInterceptor</c>) may come out.
/// </summary>
internal sealed class FlightCommandTarget : FuzzTarget
{
    public override string Name => "flight-command";

    public override string Contract => "Any.Parser.ParseFrom of the descriptor's cmd, then FlightSqlCommands.Statement: only RpcException and InvalidProtocolBufferException";

    public override void Run(byte[] input)
    {
        Any any;
        try
        {
            any = Any.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException)
        {
            return; // GetFlightInfo then treats the cmd as not Flight SQL
        }
        if (any.TypeUrl.Length > 0 && FlightSqlCommands.IsFlightSql(any))
        {
            _ = FlightSqlCommands.Statement(any);
        }
    }

    public override bool IsExpected(Exception exception) => exception is RpcException or InvalidProtocolBufferException;
}
