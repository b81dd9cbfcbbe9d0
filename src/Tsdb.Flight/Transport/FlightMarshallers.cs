using Google.Protobuf;
using Grpc.Core;
using Tsdb.Flight.Protocol;

namespace Tsdb.Flight.Transport;

/// <summary>
/// The marshallers the Flight service is bound with instead of the generated ones: FlightData that is already encoded
/// goes out part by part (no intermediate message, no second copy of the body), and a request that is not valid
/// protobuf is the client's error (INVALID_ARGUMENT naming the message), where the generated parser would end the call
/// as an internal error.
/// </summary>
internal static class FlightMarshallers
{
    public static Marshaller<FlightData> FlightData { get; } = new(SerializeFlightData, Strict(Protocol.FlightData.Parser));

    /// <summary>A marshaller whose parse errors are INVALID_ARGUMENT; serialisation as generated.</summary>
    public static Marshaller<T> For<T>(MessageParser<T> parser) where T : IMessage<T> => new(Serialize, Strict(parser));

    private static void Serialize<T>(T message, SerializationContext context) where T : IMessage<T>
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static void SerializeFlightData(FlightData message, SerializationContext context)
    {
        if (message.EncodedParts is not { } parts)
        {
            Serialize(message, context);
            return;
        }
        long length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }
        if (length > int.MaxValue)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"a FlightData message of {length} bytes is too large"));
        }
        context.SetPayloadLength((int)length);
        // With the length known and no compression, Grpc.AspNetCore hands out the response pipe itself.
        var writer = context.GetBufferWriter();
        foreach (var part in parts)
        {
            var source = part.Span;
            while (!source.IsEmpty)
            {
                // No size hint: the pipe gives the rest of its current pooled block, so nothing is allocated.
                var span = writer.GetSpan();
                var n = Math.Min(span.Length, source.Length);
                source[..n].CopyTo(span);
                writer.Advance(n);
                source = source[n..];
            }
        }
        context.Complete();
    }

    private static Func<DeserializationContext, T> Strict<T>(MessageParser<T> parser) where T : IMessage<T> => context =>
    {
        try
        {
            return parser.ParseFrom(context.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeof(T).Name}: {ex.Message}"));
        }
    };
}
