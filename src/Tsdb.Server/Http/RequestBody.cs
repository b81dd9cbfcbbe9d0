using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Server.Http;

/// <summary>
/// Reads a request body into one pooled buffer, gunzipping when asked, and enforces the size limit on the bytes
/// received and again on the bytes after decompression. With a process budget, every buffer the body takes (the one
/// received and the one decompressed into, as each grows) is reserved from it first as a request
/// (<see cref="MemoryClaimant.Request"/>, the shared part only, never waiting) and given back on dispose: a body is
/// bounded by the request size limit but many at once are not, and without a reservation they were memory the budget
/// never saw. Refused: <see cref="NoMemoryException"/>, which each API answers as its 503.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;
    private readonly ProcessMemory? _memory;
    private long _reserved;

    private RequestBody(byte[] buffer, int length, ProcessMemory? memory, long reserved)
    {
        _buffer = buffer;
        Length = length;
        _memory = memory;
        _reserved = reserved;
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
        _memory?.Release(Interlocked.Exchange(ref _reserved, 0), MemoryClaimant.Request);
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> more for as long as the body is held, for what its protocol decodes it into
    /// (a snappy body's decompressed size); throws <see cref="NoMemoryException"/> when the budget has no room.
    /// </summary>
    public void ReserveMore(long bytes)
    {
        Take(_memory, bytes);
        Interlocked.Add(ref _reserved, bytes);
    }

    /// <summary>The process budget had no room for a body (503 with Retry-After in each API's dialect).</summary>
    public sealed class NoMemoryException(string message) : Exception(message)
    {
    }

    private static void Take(ProcessMemory? memory, long bytes)
    {
        if (memory is not null && !memory.TryReserve(bytes, MemoryClaimant.Request))
        {
            throw new NoMemoryException($"the server is short of memory: the request's body needed {ProcessMemory.Format(bytes)}; {memory.Describe()}; retry later");
        }
    }

    public sealed class TooLargeException(long limit) : Exception($"max request size ({limit} bytes) exceeded")
    {
    }

    public sealed class BadEncodingException(string message) : Exception(message)
    {
    }

    public static async Task<RequestBody> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken, ProcessMemory? memory = null)
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
        var raw = await ReadLimitedAsync(request.Body, limit, (int)Math.Min(request.ContentLength ?? 16384, limit), memory, cancellationToken).ConfigureAwait(false);
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
                return await ReadLimitedAsync(inflate, limit, (int)Math.Min((long)raw.Length * 4, limit), memory, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new BadEncodingException($"the body is not valid gzip: {e.Message}");
            }
        }
    }

    /// <summary>The body as sent, whatever its Content-Encoding (for protocols that decode it themselves).</summary>
    public static Task<RequestBody> ReadRawAsync(HttpRequest request, long limit, CancellationToken cancellationToken, ProcessMemory? memory = null)
    {
        if (request.ContentLength > limit)
        {
            throw new TooLargeException(limit);
        }
        return ReadLimitedAsync(request.Body, limit, (int)Math.Min(request.ContentLength ?? 16384, limit), memory, cancellationToken);
    }

    private static async Task<RequestBody> ReadLimitedAsync(Stream stream, long limit, int initial, ProcessMemory? memory, CancellationToken cancellationToken)
    {
        // Reserved at the size asked for, before renting (the pool may hand out more; what is asked bounds what is kept).
        long reserved = Math.Max(initial, 4096) + 1;
        Take(memory, reserved);
        byte[] buffer;
        try
        {
            buffer = ArrayPool<byte>.Shared.Rent((int)reserved);
        }
        catch
        {
            memory?.Release(reserved, MemoryClaimant.Request);
            throw;
        }
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    // The next buffer is reserved before it is taken; for the copy both are held.
                    var size = (long)buffer.Length * 2;
                    Take(memory, size);
                    reserved += size;
                    var bigger = ArrayPool<byte>.Shared.Rent((int)size);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    memory?.Release(reserved - size, MemoryClaimant.Request);
                    reserved = size;
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new RequestBody(buffer, length, memory, reserved);
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
            memory?.Release(reserved, MemoryClaimant.Request);
            throw;
        }
    }
}
