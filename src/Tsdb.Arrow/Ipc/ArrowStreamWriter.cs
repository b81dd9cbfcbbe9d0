using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// Writes the IPC stream format: Schema, then per batch the dictionary batches it needs and the record batch,
/// and the end-of-stream marker on <see cref="Finish"/>.
/// </summary>
public sealed class ArrowStreamWriter : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly IpcEncoder _encoder;
    private bool _schemaWritten;
    private bool _finished;

    public ArrowStreamWriter(Stream stream, Schema schema, IpcWriteOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _encoder = new IpcEncoder(schema, options);
    }

    public Schema Schema => _encoder.Schema;

    public void WriteBatch(RecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        EnsureSchema();
        foreach (var message in _encoder.EncodeBatch(batch))
        {
            MessageFraming.Write(_stream, message);
        }
    }

    public async ValueTask WriteBatchAsync(RecordBatch batch, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (!_schemaWritten)
        {
            await MessageFraming.WriteAsync(_stream, _encoder.EncodeSchema(), cancellationToken).ConfigureAwait(false);
            _schemaWritten = true;
        }
        foreach (var message in _encoder.EncodeBatch(batch))
        {
            await MessageFraming.WriteAsync(_stream, message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the schema if no batch was written, then the end-of-stream marker.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        EnsureSchema();
        _stream.Write(MessageFraming.EndOfStream);
        _stream.Flush();
        _finished = true;
    }

    public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return;
        }
        if (!_schemaWritten)
        {
            await MessageFraming.WriteAsync(_stream, _encoder.EncodeSchema(), cancellationToken).ConfigureAwait(false);
            _schemaWritten = true;
        }
        await _stream.WriteAsync(MessageFraming.EndOfStream.ToArray(), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _finished = true;
    }

    private void EnsureSchema()
    {
        if (!_schemaWritten)
        {
            MessageFraming.Write(_stream, _encoder.EncodeSchema());
            _schemaWritten = true;
        }
    }

    /// <summary>Closes the stream unless told to leave it open; does not write the end-of-stream marker.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Encodes one batch as a complete IPC stream (schema, dictionaries, batch, end marker) into an array of exactly
    /// the right size, starting at <paramref name="reserve"/> bytes in (room for the caller's own header).
    /// </summary>
    public static byte[] EncodeSingleBatch(RecordBatch batch, int reserve = 0, IpcWriteOptions? options = null)
    {
        var stream = PrepareSingleBatch(batch, options);
        var bytes = GC.AllocateUninitializedArray<byte>(checked(reserve + stream.Length));
        stream.WriteTo(bytes.AsSpan(reserve));
        return bytes;
    }

    /// <summary>
    /// Encodes one batch as a complete IPC stream whose length is known before it is written anywhere, so a caller can
    /// lay several out in one buffer of its own without an array per stream (the body still refers to the batch).
    /// </summary>
    public static PreparedStream PrepareSingleBatch(RecordBatch batch, IpcWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var encoder = new IpcEncoder(batch.Schema, options);
        var schema = encoder.EncodeSchema();
        var messages = encoder.EncodeBatch(batch);
        var length = schema.FramedLength + messages.Sum(m => m.FramedLength) + MessageFraming.EndOfStream.Length;
        return new PreparedStream(schema, messages, checked((int)length));
    }

    /// <summary>An encoded single-batch stream, not yet written: see <see cref="PrepareSingleBatch"/>.</summary>
    public readonly struct PreparedStream
    {
        private readonly EncodedMessage _schema;
        private readonly IReadOnlyList<EncodedMessage> _messages;

        internal PreparedStream(EncodedMessage schema, IReadOnlyList<EncodedMessage> messages, int length)
        {
            _schema = schema;
            _messages = messages;
            Length = length;
        }

        /// <summary>Bytes the stream takes, end marker included.</summary>
        public int Length { get; }

        /// <summary>Writes the stream at the start of <paramref name="destination"/>; returns <see cref="Length"/>.</summary>
        public int WriteTo(Span<byte> destination)
        {
            var position = _schema.WriteFramed(destination);
            foreach (var message in _messages)
            {
                position += message.WriteFramed(destination[position..]);
            }
            MessageFraming.EndOfStream.CopyTo(destination[position..]);
            return position + MessageFraming.EndOfStream.Length;
        }
    }

    /// <summary>Serialises batches into one in-memory IPC stream.</summary>
    public static byte[] ToBytes(Schema schema, IEnumerable<RecordBatch> batches, IpcWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        using var memory = new MemoryStream();
        using (var writer = new ArrowStreamWriter(memory, schema, options, leaveOpen: true))
        {
            foreach (var batch in batches)
            {
                writer.WriteBatch(batch);
            }
            writer.Finish();
        }
        return memory.ToArray();
    }
}
