using Google.Protobuf;
using Grpc.Core;
using Tsdb.Flight;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: DoGet ticket bytes through <c>TicketDecoder.Decode</c> (JSON tickets, Any-wrapped <c>ReadInfo</c>, this
/// server's <c>StatementTicket</c>), then a Flight SQL command inside it through <c>FlightSqlCommands.Statement</c>
/// (statement query, prepared-statement handle and its Arrow parameters). Only <see cref="RpcException"/> (the status
/// the client gets) and <see cref="InvalidProtocolBufferException"/> (which <c>FlightErrorInterceptor</c> answers with
/// INVALID_ARGUMENT wherever it is raised) may come out.
/// </summary>
internal sealed class FlightTicketTarget : FuzzTarget
{
    public override string Name => "flight-ticket";

    public override string Contract => "TicketDecoder.Decode, then FlightSqlCommands.Statement of its command: only RpcException and InvalidProtocolBufferException";

    public override void Run(byte[] input)
    {
        var query = TicketDecoder.Decode(ByteString.CopyFrom(input));
        if (query.Command is { } command && FlightSqlCommands.IsFlightSql(command))
        {
            _ = FlightSqlCommands.Statement(command);
        }
    }

    public override bool IsExpected(Exception exception) => exception is RpcException or InvalidProtocolBufferException;
}
