using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace Tsdb.Grpc.Tests;

/// <summary>A minimal gRPC client over HttpClient (h2c with prior knowledge) that can cut its request body anywhere.</summary>
internal static class GrpcTestClient
{
    public static HttpClient Create(Uri address) => new(new SocketsHttpHandler())
    {
        BaseAddress = address,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static byte[] Frame(byte[] message, byte flag = 0)
    {
        var framed = new byte[5 + message.Length];
        framed[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }

    public static HttpRequestMessage Request(string method, IEnumerable<byte[]> chunks, string? timeout = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/{TestServer.Service}/{method}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ChunkedContent(chunks),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (timeout is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        }
        return request;
    }

    /// <summary>The response messages and the status, from the trailers or (trailers-only) the headers.</summary>
    public static async Task<(List<byte[]> Messages, string? Status, string? Message, bool TrailersOnly, HttpResponseMessage Response)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        var messages = new List<byte[]>();
        var position = 0;
        while (position < body.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(position + 1));
            messages.Add(body.AsSpan(position + 5, length).ToArray());
            position += 5 + length;
        }
        var trailersOnly = response.Headers.Contains("grpc-status");
        var source = trailersOnly ? (HttpHeaders)response.Headers : response.TrailingHeaders;
        var status = source.TryGetValues("grpc-status", out var s) ? s.First() : null;
        var message = source.TryGetValues("grpc-message", out var m) ? m.First() : null;
        return (messages, status, message, trailersOnly, response);
    }

    private sealed class ChunkedContent(IEnumerable<byte[]> chunks) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            foreach (var chunk in chunks)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
