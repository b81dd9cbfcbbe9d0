using System.Buffers.Binary;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// Reads the IPC stream format from a <see cref="Stream"/> or from bytes in memory (zero-copy: arrays point into
/// the given memory). Also accepts the pre-1.0 framing without the continuation marker. A truncated or corrupt
/// stream raises <see cref="ArrowFormatException"/>.
/// </summary>
public sealed class ArrowStreamReader : IDisposable
{
    private readonly Stream? _stream;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _leaveOpen;
    private readonly IpcReadOptions _options;
    private readonly IpcDecoder _decoder;
    private int _memoryPosition;
    private bool _ended;

    public ArrowStreamReader(Stream stream, IpcReadOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? IpcReadOptions.Default;
        _decoder = new IpcDecoder(_options);
    }

    public ArrowStreamReader(ReadOnlyMemory<byte> bytes, IpcReadOptions? options = null)
    {
        _memory = bytes;
        _options = options ?? IpcReadOptions.Default;
        _decoder = new IpcDecoder(_options);
    }

    /// <summary>The stream's schema (reads up to the Schema message if needed).</summary>
    public Schema Schema
    {
        get
        {
            while (_decoder.Schema is null)
            {
                if (!ReadMessage(out var metadata, out var body))
                {
                    throw new ArrowFormatException("the stream ended before its schema");
                }
                if (_decoder.Decode(metadata, body) is not null)
                {
                    throw new ArrowFormatException("a batch arrived before the schema");
                }
            }
            return _decoder.Schema;
        }
    }

    /// <summary>The next record batch, or null at the end of the stream.</summary>
    public RecordBatch? ReadNextBatch()
    {
        _ = Schema;
        while (ReadMessage(out var metadata, out var body))
        {
            var batch = _decoder.Decode(metadata, body);
            if (batch is not null)
            {
                return batch;
            }
        }
        return null;
    }

    public async ValueTask<RecordBatch?> ReadNextBatchAsync(CancellationToken cancellationToken = default)
    {
        if (_stream is null)
        {
            return ReadNextBatch();
        }
        while (true)
        {
            var message = await ReadStreamMessageAsync(cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                if (_decoder.Schema is null)
                {
                    throw new ArrowFormatException("the stream ended before its schema");
                }
                return null;
            }
            var batch = _decoder.Decode(message.Value.Metadata, message.Value.Body);
            if (batch is not null)
            {
                return batch;
            }
        }
    }

    /// <summary>Every remaining batch.</summary>
    public IEnumerable<RecordBatch> ReadAll()
    {
        while (ReadNextBatch() is { } batch)
        {
            yield return batch;
        }
    }

    private bool ReadMessage(out ReadOnlyMemory<byte> metadata, out ReadOnlyMemory<byte> body)
    {
        metadata = body = default;
        if (_ended)
        {
            return false;
        }
        return _stream is null ? ReadMemoryMessage(out metadata, out body) : ReadStreamMessage(out metadata, out body);
    }

    private bool ReadMemoryMessage(out ReadOnlyMemory<byte> metadata, out ReadOnlyMemory<byte> body)
    {
        metadata = body = default;
        var span = _memory.Span;
        var remaining = span.Length - _memoryPosition;
        if (remaining == 0)
        {
            _ended = true;
            return false;
        }
        if (remaining < 4)
        {
            throw Truncated("message length");
        }
        var prefix = 4;
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[_memoryPosition..]);
        if (length == -1)
        {
            if (remaining < 8)
            {
                throw Truncated("message length");
            }
            length = BinaryPrimitives.ReadInt32LittleEndian(span[(_memoryPosition + 4)..]);
            prefix = 8;
        }
        if (length == 0)
        {
            _ended = true;
            return false;
        }
        CheckMetadataLength(length);
        if (length > remaining - prefix)
        {
            throw Truncated("message metadata");
        }
        metadata = _memory.Slice(_memoryPosition + prefix, length);
        var (_, _, bodyLength) = IpcDecoder.ParseMessage(metadata);
        var bodyStart = _memoryPosition + prefix + length;
        if (bodyLength > span.Length - bodyStart)
        {
            throw Truncated($"message body ({bodyLength} bytes announced, {span.Length - bodyStart} present)");
        }
        body = _memory.Slice(bodyStart, (int)bodyLength);
        _memoryPosition = bodyStart + (int)bodyLength;
        return true;
    }

    private bool ReadStreamMessage(out ReadOnlyMemory<byte> metadata, out ReadOnlyMemory<byte> body)
    {
        metadata = body = default;
        Span<byte> word = stackalloc byte[4];
        var got = _stream!.ReadAtLeast(word, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            _ended = true;
            return false;
        }
        if (got < 4)
        {
            throw Truncated("message length");
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(word);
        if (length == -1)
        {
            if (_stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
            {
                throw Truncated("message length");
            }
            length = BinaryPrimitives.ReadInt32LittleEndian(word);
        }
        if (length == 0)
        {
            _ended = true;
            return false;
        }
        CheckMetadataLength(length);
        var meta = ReadExactly(length, "message metadata");
        metadata = meta;
        var (_, _, bodyLength) = IpcDecoder.ParseMessage(metadata);
        CheckBodyLength(bodyLength);
        body = ReadExactly(bodyLength, "message body");
        return true;
    }

    private async ValueTask<(ReadOnlyMemory<byte> Metadata, ReadOnlyMemory<byte> Body)?> ReadStreamMessageAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }
        var word = new byte[4];
        var got = await _stream!.ReadAtLeastAsync(word, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            _ended = true;
            return null;
        }
        if (got < 4)
        {
            throw Truncated("message length");
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(word);
        if (length == -1)
        {
            if (await _stream.ReadAtLeastAsync(word, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < 4)
            {
                throw Truncated("message length");
            }
            length = BinaryPrimitives.ReadInt32LittleEndian(word);
        }
        if (length == 0)
        {
            _ended = true;
            return null;
        }
        CheckMetadataLength(length);
        var metadata = await ReadExactlyAsync(length, "message metadata", cancellationToken).ConfigureAwait(false);
        var (_, _, bodyLength) = IpcDecoder.ParseMessage(metadata);
        CheckBodyLength(bodyLength);
        var body = await ReadExactlyAsync(bodyLength, "message body", cancellationToken).ConfigureAwait(false);
        return (metadata, body);
    }

    private void CheckMetadataLength(int length)
    {
        if (length < 0 || length > _options.MaxMetadataLength)
        {
            throw new ArrowFormatException($"message metadata length {length} outside [0, {_options.MaxMetadataLength}]");
        }
    }

    private void CheckBodyLength(long length)
    {
        if (length > _options.MaxBodyLength || length > Array.MaxLength)
        {
            throw new ArrowFormatException($"message body of {length} bytes exceeds the limit of {_options.MaxBodyLength}");
        }
    }

    // The buffer grows with the bytes that really arrive, so a lying length cannot allocate more than about twice
    // what the stream holds.
    private const int ReadChunk = 16 << 20;

    private byte[] ReadExactly(long length, string what)
    {
        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, ReadChunk));
        var filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, (long)buffer.Length * 2));
            }
            var n = _stream!.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                throw Truncated(what);
            }
            filled += n;
        }
        return buffer;
    }

    private async ValueTask<byte[]> ReadExactlyAsync(long length, string what, CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, ReadChunk));
        var filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, (long)buffer.Length * 2));
            }
            var n = await _stream!.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw Truncated(what);
            }
            filled += n;
        }
        return buffer;
    }

    private static ArrowFormatException Truncated(string what) => new($"truncated Arrow stream: it ends inside the {what}");

    public void Dispose()
    {
        if (_stream is not null && !_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
