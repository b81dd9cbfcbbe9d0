using System.Runtime.ExceptionServices;

namespace Tsdb.ObjectStore;

/// <summary>
/// A write-only <see cref="Stream"/> over an <see cref="IObjectWriter"/>, for producers that write to a stream
/// synchronously (<c>ParquetWriter</c>): bytes fill a part buffer of <see cref="PartSize"/>; a full buffer is handed
/// to <see cref="IObjectWriter.WritePartAsync"/> and, while it uploads, the next part fills a second buffer. The
/// object appears only at <see cref="CompleteAsync"/>; disposing without completing aborts it.
/// </summary>
/// <remarks>
/// <para><b>Memory</b>: at most two part buffers (one uploading, one filling), whatever the object's size; one when
/// the store finishes a part before returning (the local store).</para>
/// <para><b>Sync over async</b>: a synchronous <see cref="Write(ReadOnlySpan{byte})"/> never waits except at a part
/// boundary, and then only if the previous part is still uploading — it blocks its thread on that upload (backpressure:
/// the alternative, buffering on, would unbound memory). It cannot deadlock (every await below runs without a
/// synchronization context), but it holds a thread: run a synchronous producer on a thread that may block (a
/// dedicated one, or <c>Task.Run</c> for a bounded number of writers), not inline on a request's pool thread.
/// <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> follows the same rules and awaits instead.
/// Uploads started by synchronous writes run under the token given to the constructor.</para>
/// <para><b>Failures</b>: a part's failure surfaces at the next part boundary or at <see cref="CompleteAsync"/>;
/// the stream is then unusable (dispose it: that aborts). Retries belong to the writer
/// (<see cref="RetryingObjectStore"/>), which gets each part whole.</para>
/// <para><see cref="Flush"/> does nothing: a part is sent when full, and durability comes only with completion.</para>
/// </remarks>
public sealed class ObjectWriteStream : Stream
{
    /// <summary>8 MiB: above S3's 5 MiB minimum, 640 parts for a 5 GB file, 16 MiB of buffers per writer at most.</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    private readonly IObjectWriter _writer;
    private readonly CancellationToken _ct;
    private byte[]? _buffer;
    private byte[]? _spare;
    private int _filled;
    private Task? _inFlight;
    private long _position;
    private State _state;
    private Exception? _failure;
    private bool _disposed;

    /// <param name="writer">the writer the stream sends parts to; disposed with the stream.</param>
    /// <param name="partSize">bytes per part, at least the writer's <see cref="IObjectWriter.MinimumPartSize"/>.</param>
    /// <param name="ct">cancels uploads that synchronous writes start.</param>
    public ObjectWriteStream(IObjectWriter writer, int partSize = DefaultPartSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, Math.Max(1, writer.MinimumPartSize));
        _writer = writer;
        PartSize = partSize;
        _ct = ct;
    }

    private enum State
    {
        Open,
        Completed,
        Aborted,
        Failed,
    }

    /// <summary>Opens a writer on <paramref name="store"/> and a stream over it.</summary>
    public static async Task<ObjectWriteStream> OpenAsync(IObjectStore store, string key, int partSize = DefaultPartSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var writer = await store.OpenWriteAsync(key, ct).ConfigureAwait(false);
        try
        {
            return new ObjectWriteStream(writer, partSize, ct);
        }
        catch
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public IObjectWriter Writer => _writer;

    public int PartSize { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _state == State.Open;

    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes written to the stream so far (not all of them sent yet).</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotOpen();
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer);
            buffer = buffer[taken..];
            if (_filled == PartSize)
            {
                WaitForInFlight();
                SendFullBuffer();
            }
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen();
        cancellationToken.ThrowIfCancellationRequested();
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer.Span);
            buffer = buffer[taken..];
            if (_filled == PartSize)
            {
                await WaitForInFlightAsync(cancellationToken).ConfigureAwait(false);
                SendFullBuffer();
            }
        }
    }

    /// <summary>Does nothing: parts go out when full, and nothing is durable before <see cref="CompleteAsync"/>.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits for the part in flight, sends what is buffered as the last part and publishes the object.</summary>
    public async Task CompleteAsync(CancellationToken ct = default)
    {
        ThrowIfNotOpen();
        await WaitForInFlightAsync(ct).ConfigureAwait(false);
        try
        {
            await _writer.CompleteAsync(_buffer.AsMemory(0, _filled), ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
        _state = State.Completed;
        ReleaseBuffers();
    }

    /// <summary>Discards the object: waits for the part in flight (its outcome no longer matters), then aborts the writer.</summary>
    public async Task AbortAsync(CancellationToken ct = default)
    {
        if (_state is State.Completed or State.Aborted)
        {
            return;
        }
        if (_inFlight is { } inFlight)
        {
            _inFlight = null;
            await inFlight.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _writer.AbortAsync(ct).ConfigureAwait(false);
        _state = State.Aborted;
        ReleaseBuffers();
    }

    /// <summary>Aborts if the stream did not complete, then disposes the writer. A failed abort is thrown.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await AbortAsync(CancellationToken.None).ConfigureAwait(false);
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false); // Stream's own clean-up; Dispose(true) below finds nothing left
    }

    /// <summary>Aborts synchronously (blocking on the store) if the stream did not complete.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            AbortAsync(CancellationToken.None).GetAwaiter().GetResult();
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int Fill(ReadOnlySpan<byte> data)
    {
        _buffer ??= GC.AllocateUninitializedArray<byte>(PartSize);
        var taken = Math.Min(data.Length, PartSize - _filled);
        data[..taken].CopyTo(_buffer.AsSpan(_filled));
        _filled += taken;
        _position += taken;
        return taken;
    }

    /// <summary>Starts the full buffer's upload; if it is still running on return, the next part fills the spare.</summary>
    private void SendFullBuffer()
    {
        var upload = _writer.WritePartAsync(_buffer, _ct);
        _filled = 0;
        if (upload.IsCompleted)
        {
            Observe(upload); // finished already (the local store): the same buffer serves again
            return;
        }
        _inFlight = upload;
        (_buffer, _spare) = (_spare, _buffer); // a null _buffer is allocated by the next Fill
    }

    private void WaitForInFlight()
    {
        if (_inFlight is { } inFlight)
        {
            _inFlight = null;
            // See the remarks: a blocking wait, only at a part boundary, only while the previous part uploads.
            inFlight.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            Observe(inFlight);
        }
    }

    private async Task WaitForInFlightAsync(CancellationToken ct)
    {
        if (_inFlight is { } inFlight)
        {
            await inFlight.WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            ct.ThrowIfCancellationRequested();
            _inFlight = null;
            Observe(inFlight);
        }
    }

    private void Observe(Task upload)
    {
        if (upload.Exception is { } error)
        {
            Fail(error.InnerException ?? error);
            ExceptionDispatchInfo.Throw(error.InnerException ?? error);
        }
        if (upload.IsCanceled)
        {
            Fail(new OperationCanceledException(_ct));
            upload.GetAwaiter().GetResult(); // throws the cancellation
        }
    }

    private void Fail(Exception e)
    {
        _failure ??= e;
        _state = State.Failed;
    }

    private void ThrowIfNotOpen()
    {
        switch (_state)
        {
            case State.Open:
                return;
            case State.Failed:
                throw new InvalidOperationException($"writing '{_writer.Key}' failed earlier; dispose the stream (it aborts) and start over", _failure);
            default:
                throw new InvalidOperationException($"the stream of '{_writer.Key}' has {(_state == State.Completed ? "completed" : "been aborted")}");
        }
    }

    private void ReleaseBuffers()
    {
        _buffer = null;
        _spare = null;
        _filled = 0;
    }
}
