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

    /// <summary>
    /// The error a DoPut ends with (the test fails if it ends without one). A server may refuse on the descriptor
    /// alone and end the call while the client is still sending its batches; the client's write then fails (often
    /// as Cancelled), and the server's answer is the status the response stream ends with.
    /// </summary>
    public static async Task<RpcException> DoPutErrorAsync(FlightClient client, FlightDescriptor descriptor, Metadata headers, params Apache.Arrow.RecordBatch[] batches)
    {
        using var call = client.StartPut(descriptor, headers);
        try
        {
            foreach (var batch in batches)
            {
                await call.RequestStream.WriteAsync(batch);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // the call ended before everything was sent: its status is read below
        }
        catch (IOException)
        {
        }
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
