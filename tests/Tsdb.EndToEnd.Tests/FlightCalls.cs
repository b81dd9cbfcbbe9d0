using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;

namespace Tsdb.EndToEnd.Tests;

/// <summary>What the tests that drive Apache.Arrow.Flight's client share: reading a call out, a refused DoGet, a protobuf varint.</summary>
internal static class FlightCalls
{
    public static async Task<List<T>> ReadAllAsync<T>(IAsyncStreamReader<T> stream)
    {
        var items = new List<T>();
        while (await stream.MoveNext(CancellationToken.None))
        {
            items.Add(stream.Current);
        }
        return items;
    }

    /// <summary>The error a DoGet ends with (the test fails if it ends without one).</summary>
    public static async Task<RpcException> DoGetErrorAsync(FlightClient client, FlightTicket ticket, Metadata headers)
    {
        using var call = client.GetStream(ticket, headers);
        return await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(call.ResponseStream));
    }

    /// <summary>A protobuf base-128 varint, for hand-built Flight SQL commands.</summary>
    public static List<byte> Varint(int value)
    {
        var bytes = new List<byte>();
        for (var v = (uint)value; ; v >>= 7)
        {
            bytes.Add((byte)(v < 0x80 ? v : (v & 0x7F) | 0x80));
            if (v < 0x80)
            {
                return bytes;
            }
        }
    }
}
