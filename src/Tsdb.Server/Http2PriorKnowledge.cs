using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Tsdb.Server;

/// <summary>
/// A Kestrel connection step for one cleartext port serving HTTP/1.1 and h2c with prior knowledge (what gRPC
/// clients send without TLS). It peeks at the first bytes without consuming them: a connection that opens with the
/// HTTP/2 preface <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c> is marked as "h2" the way ALPN would mark it, any other
/// stays HTTP/1.1. Needs <c>HttpProtocols.Http1AndHttp2</c> on the endpoint and <c>AllowAlternateSchemes</c>
/// (Kestrel then sees an "https" transport carrying <c>:scheme http</c>).
/// </summary>
public static class Http2PriorKnowledge
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private static readonly CleartextProtocolFeature H2 = new("h2"u8.ToArray());

    /// <summary>
    /// How long a new connection may stay silent before it is handed to Kestrel as HTTP/1.1 undecided, so Kestrel's
    /// own header timeouts govern it (a client that never sends must not be held here forever).
    /// </summary>
    public static TimeSpan DecisionTimeout { get; } = TimeSpan.FromSeconds(10);

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        if (await StartsWithPrefaceAsync(connection, DecisionTimeout).ConfigureAwait(false))
        {
            connection.Features.Set<ITlsApplicationProtocolFeature>(H2);
            connection.Features.Set<ITlsConnectionFeature>(H2);
        }
        await next(connection).ConfigureAwait(false);
    };

    /// <summary>True when the connection's first bytes are the HTTP/2 preface; consumes nothing.</summary>
    internal static async ValueTask<bool> StartsWithPrefaceAsync(ConnectionContext connection, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            var buffer = result.Buffer;
            var match = Matches(buffer, out var complete);
            if (!match || complete || result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                return match && complete;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Whether <paramref name="buffer"/> agrees with the preface so far, and whether it holds all of it.</summary>
    internal static bool Matches(ReadOnlySequence<byte> buffer, out bool complete)
    {
        var n = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        buffer.Slice(0, n).CopyTo(head);
        complete = n == Preface.Length;
        return head[..n].SequenceEqual(Preface.AsSpan(0, n));
    }
}
