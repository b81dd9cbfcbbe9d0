using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace Tsdb.Grpc;

/// <summary>
/// One gRPC call on an HTTP/2 stream: length-prefixed messages in (1 byte compressed flag, 4 bytes big-endian
/// length) and out. The response headers go out with the first message; a call that ends before writing any sends
/// its status in the headers alone ("trailers-only").
/// </summary>
public sealed class GrpcCall
{
    private readonly GrpcServerOptions _options;
    private long _unflushed;

    internal GrpcCall(HttpContext http, string method, GrpcServerOptions options, CancellationToken cancellationToken)
    {
        HttpContext = http;
        Method = method;
        _options = options;
        CancellationToken = cancellationToken;
    }

    public HttpContext HttpContext { get; }

    /// <summary>The path, <c>/package.Service/Method</c>.</summary>
    public string Method { get; }

    /// <summary>Cancelled when the client resets the stream, the connection drops, or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>True once the response headers (and at least one message) have been sent.</summary>
    public bool HeadersSent { get; private set; }

    /// <summary>A request header (gRPC metadata), or null.</summary>
    public string? GetHeader(string name)
    {
        var values = HttpContext.Request.Headers[name];
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>Adds response metadata; sent with the headers (or, once they are sent, with the trailers).</summary>
    public void AddResponseMetadata(string name, string value)
    {
        if (HeadersSent)
        {
            HttpContext.Response.AppendTrailer(name, value);
        }
        else
        {
            HttpContext.Response.Headers.Append(name, value);
        }
    }

    /// <summary>The next request message, or null when the client has finished sending.</summary>
    public async ValueTask<byte[]?> ReadMessageAsync()
    {
        var reader = HttpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(CancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 5)
            {
                var (flag, length) = ReadPrefix(buffer);
                if (flag == 1)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new GrpcException(GrpcStatusCode.Unimplemented, "compressed request messages are not supported (send grpc-encoding identity)");
                }
                if (flag > 1)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new GrpcException(GrpcStatusCode.Internal, $"invalid compressed flag {flag} in a message prefix");
                }
                if (length > (uint)_options.MaxReceiveMessageSize)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                        $"received message larger than max ({length} vs. {_options.MaxReceiveMessageSize})");
                }
                if (buffer.Length >= 5 + length)
                {
                    var message = length == 0 ? [] : buffer.Slice(5, length).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(5 + length));
                    return message;
                }
            }
            if (result.IsCompleted)
            {
                var partial = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (partial == 0)
                {
                    return null;
                }
                throw new GrpcException(GrpcStatusCode.Internal, $"the request ended inside a message ({partial} bytes of it)");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads the single request message of a unary or server-streaming call.</summary>
    public async ValueTask<byte[]> ReadSingleMessageAsync()
    {
        var message = await ReadMessageAsync().ConfigureAwait(false)
            ?? throw new GrpcException(GrpcStatusCode.Internal, "the call needs one request message and got none");
        return message;
    }

    public ValueTask WriteMessageAsync(ReadOnlyMemory<byte> message) => WriteMessageAsync([message]);

    /// <summary>Writes one response message made of <paramref name="parts"/> (copied once, into the response pipe).</summary>
    public async ValueTask WriteMessageAsync(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        CancellationToken.ThrowIfCancellationRequested();
        var writer = HttpContext.Response.BodyWriter;
        if (!HeadersSent)
        {
            HttpContext.Response.StatusCode = 200;
            HttpContext.Response.ContentType = "application/grpc";
            HeadersSent = true;
        }
        long length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }
        if (length > uint.MaxValue)
        {
            throw new GrpcException(GrpcStatusCode.ResourceExhausted, $"response message of {length} bytes is too large");
        }
        var prefix = writer.GetSpan(5);
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)length);
        writer.Advance(5);
        foreach (var part in parts)
        {
            Copy(writer, part.Span);
        }
        _unflushed += length + 5;
        if (_unflushed >= _options.FlushThreshold)
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends what has been written so far.</summary>
    public async ValueTask FlushAsync()
    {
        _unflushed = 0;
        var result = await HttpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            CancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("the client stopped reading the response");
        }
    }

    private static (byte Flag, uint Length) ReadPrefix(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(prefix);
        return (prefix[0], BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]));
    }

    private static void Copy(PipeWriter writer, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            // No size hint: the pipe hands out the rest of its current pooled block, so nothing is allocated.
            var span = writer.GetSpan();
            var n = Math.Min(span.Length, source.Length);
            source[..n].CopyTo(span);
            writer.Advance(n);
            source = source[n..];
        }
    }
}
