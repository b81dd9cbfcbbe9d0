using Google.Protobuf;
using Grpc.Core;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Flight.Protocol;

namespace Tsdb.Flight.Tests;

/// <summary>Keeps the FlightData a service method writes, as the bytes that would go on the wire, and decodes them.</summary>
internal sealed class RecordingStreamWriter : IServerStreamWriter<FlightData>
{
    private readonly List<FlightData> _messages = [];

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(FlightData message)
    {
        var bytes = message.EncodedParts is { } parts ? parts.SelectMany(p => p.ToArray()).ToArray() : message.ToByteArray();
        _messages.Add(FlightData.Parser.ParseFrom(bytes));
        return Task.CompletedTask;
    }

    /// <summary>The schema (first message) and every batch after it.</summary>
    public (Schema Schema, List<RecordBatch> Batches) Decode()
    {
        var decoder = new IpcDecoder();
        var batches = new List<RecordBatch>();
        foreach (var message in _messages)
        {
            if (decoder.Decode(message.DataHeader.Memory, message.DataBody.Memory) is { } batch)
            {
                batches.Add(batch);
            }
        }
        return (decoder.Schema!, batches);
    }
}
