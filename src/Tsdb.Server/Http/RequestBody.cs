using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Tsdb.Server.Http;

/// <summary>
/// Reads a request body into one pooled buffer, gunzipping when asked, and enforces the size limit on the bytes
/// received and again on the bytes after decompression.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public sealed class TooLargeException(long limit) : Exception($"max request size ({limit} bytes) exceeded")
    {
    }

    public sealed class BadEncodingException(string message) : Exception(message)
    {
    }

    public static async Task<RequestBody> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new TooLargeException(limit);
        }
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadEncodingException($"unacceptable content-encoding: {encoding}");
        }
        var raw = await ReadLimitedAsync(request.Body, limit, (int)Math.Min(request.ContentLength ?? 16384, limit), cancellationToken).ConfigureAwait(false);
        if (!gzip)
        {
            return raw;
        }
        using (raw)
        {
            try
            {
                using var compressed = new MemoryStream(raw._buffer, 0, raw.Length, writable: false);
                await using var inflate = new GZipStream(compressed, CompressionMode.Decompress);
                return await ReadLimitedAsync(inflate, limit, raw.Length * 4, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new BadEncodingException($"the body is not valid gzip: {e.Message}");
            }
        }
    }

    /// <summary>The body as sent, whatever its Content-Encoding (for protocols that decode it themselves).</summary>
    public static Task<RequestBody> ReadRawAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new TooLargeException(limit);
        }
        return ReadLimitedAsync(request.Body, limit, (int)Math.Min(request.ContentLength ?? 16384, limit), cancellationToken);
    }

    private static async Task<RequestBody> ReadLimitedAsync(Stream stream, long limit, int initial, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 4096) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new RequestBody(buffer, length);
                }
                length += read;
                if (length > limit)
                {
                    throw new TooLargeException(limit);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
