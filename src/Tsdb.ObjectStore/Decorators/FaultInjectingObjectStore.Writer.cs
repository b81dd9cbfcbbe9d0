namespace Tsdb.ObjectStore;

public sealed partial class FaultInjectingObjectStore
{
    /// <summary>
    /// Faults are drawn per part (<see cref="ObjectStoreOperation.WritePart"/>), per completion
    /// (<see cref="ObjectStoreOperation.CompleteWrite"/>) and per abort (<see cref="ObjectStoreOperation.AbortWrite"/>).
    /// </summary>
    /// <remarks>
    /// <see cref="InjectedFault.TransientAfterEffect"/> on a completion publishes the object, then fails (a lost
    /// answer). On a part it fails before the part is written: by the writer contract a failed part is not in the
    /// object even if the store received it (S3 would hold an orphan part that completion does not name), so a lost
    /// answer to a part is, for the caller, the same as a part that failed.
    /// </remarks>
    public async Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default) =>
        new Writer(this, await _inner.OpenWriteAsync(key, ct).ConfigureAwait(false));

    private sealed class Writer(FaultInjectingObjectStore faults, IObjectWriter inner) : IObjectWriter
    {
        public string Key => inner.Key;

        public int MinimumPartSize => inner.MinimumPartSize;

        public long BytesWritten => inner.BytesWritten;

        public Task WritePartAsync(ReadOnlyMemory<byte> part, CancellationToken ct = default)
        {
            if (faults.NextFault(ObjectStoreOperation.WritePart) is { } fault)
            {
                return Task.FromException(Create(fault == InjectedFault.TransientAfterEffect ? InjectedFault.Transient : fault, ObjectStoreOperation.WritePart, Key));
            }
            return inner.WritePartAsync(part, ct);
        }

        public Task CompleteAsync(ReadOnlyMemory<byte> lastPart = default, CancellationToken ct = default) =>
            faults.RunAsync(ObjectStoreOperation.CompleteWrite, Key, async () =>
            {
                await inner.CompleteAsync(lastPart, ct).ConfigureAwait(false);
                return true;
            });

        public Task AbortAsync(CancellationToken ct = default) =>
            faults.RunAsync(ObjectStoreOperation.AbortWrite, Key, async () =>
            {
                await inner.AbortAsync(ct).ConfigureAwait(false);
                return true;
            });

        /// <summary>Never faulted: disposing is the clean-up that must run after an injected failure.</summary>
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
