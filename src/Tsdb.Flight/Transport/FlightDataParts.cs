// The generated FlightData is partial: this adds the already-encoded form that DoGet sends.
#pragma warning disable IDE0130 // the namespace is the generated message's
namespace Tsdb.Flight.Protocol;
#pragma warning restore IDE0130

public sealed partial class FlightData
{
    /// <summary>
    /// The message already encoded as protobuf, in parts (data_header with its tags, then the body buffers and their
    /// padding): <see cref="Transport.FlightMarshallers"/> copies them straight into the response, so a batch's body
    /// is copied once. Null for a message built field by field.
    /// </summary>
    internal IReadOnlyList<ReadOnlyMemory<byte>>? EncodedParts { get; private init; }

    internal static FlightData Encoded(IReadOnlyList<ReadOnlyMemory<byte>> parts) => new() { EncodedParts = parts };
}
