namespace Tsdb.ObjectStore;

/// <summary>
/// The state rules every store's <see cref="IObjectWriter"/> shares (part sizes, complete-once, abort-once,
/// dispose aborts), so the stores implement only the three I/O steps.
/// </summary>
internal abstract class ObjectWriterBase : IObjectWriter
{
    private State _state;

    protected ObjectWriterBase(string key, int minimumPartSize)
    {
        Key = key;
        MinimumPartSize = minimumPartSize;
    }

    private enum State
    {
        Open,
        Completed,
        Aborted,
    }

    public string Key { get; }

    public int MinimumPartSize { get; }

    public long BytesWritten { get; private set; }

    public async Task WritePartAsync(ReadOnlyMemory<byte> part, CancellationToken ct = default)
    {
        ThrowIfNotOpen();
        if (part.Length < Math.Max(1, MinimumPartSize))
        {
            throw new ArgumentException(
                $"a part of '{Key}' must hold at least {Math.Max(1, MinimumPartSize)} bytes (got {part.Length}); give a shorter last part to CompleteAsync",
                nameof(part));
        }
        ct.ThrowIfCancellationRequested();
        await WritePartCoreAsync(part, BytesWritten, ct).ConfigureAwait(false);
        BytesWritten += part.Length;
    }

    public async Task CompleteAsync(ReadOnlyMemory<byte> lastPart = default, CancellationToken ct = default)
    {
        if (_state == State.Completed)
        {
            return;
        }
        ThrowIfNotOpen();
        ct.ThrowIfCancellationRequested();
        await CompleteCoreAsync(lastPart, BytesWritten, ct).ConfigureAwait(false);
        BytesWritten += lastPart.Length;
        _state = State.Completed;
    }

    public async Task AbortAsync(CancellationToken ct = default)
    {
        if (_state != State.Open)
        {
            return;
        }
        await AbortCoreAsync(ct).ConfigureAwait(false);
        _state = State.Aborted;
    }

    /// <summary>Aborts a writer that did not complete; a failed abort is thrown (and may be retried by aborting again).</summary>
    public async ValueTask DisposeAsync()
    {
        await AbortAsync(CancellationToken.None).ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes <paramref name="part"/> at <paramref name="offset"/>; on failure the object must be as if it was never called.</summary>
    protected abstract Task WritePartCoreAsync(ReadOnlyMemory<byte> part, long offset, CancellationToken ct);

    /// <summary>Writes the last part at <paramref name="offset"/> and publishes; must tolerate being called again after a failure.</summary>
    protected abstract Task CompleteCoreAsync(ReadOnlyMemory<byte> lastPart, long offset, CancellationToken ct);

    protected abstract Task AbortCoreAsync(CancellationToken ct);

    private void ThrowIfNotOpen()
    {
        if (_state != State.Open)
        {
            throw new InvalidOperationException($"the writer of '{Key}' has {(_state == State.Completed ? "completed" : "been aborted")}");
        }
    }
}
