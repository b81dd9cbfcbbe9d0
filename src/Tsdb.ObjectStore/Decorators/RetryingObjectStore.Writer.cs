namespace Tsdb.ObjectStore;

public sealed partial class RetryingObjectStore
{
    /// <summary>
    /// Opening, each part, completion and abort are retried on their own: the writer contract makes a failed part
    /// absent from the object (S3 replaces a re-sent part number, the local store rewrites the same offsets) and a
    /// failed completion repeatable, so a 5 GB upload survives a transient failure without starting over.
    /// </summary>
    public Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default) =>
        RunAsync(ObjectStoreOperation.WritePart, key, async token =>
            (IObjectWriter)new Writer(this, await _inner.OpenWriteAsync(key, token).ConfigureAwait(false)), ct);

    private sealed class Writer(RetryingObjectStore retrying, IObjectWriter inner) : IObjectWriter
    {
        public string Key => inner.Key;

        public int MinimumPartSize => inner.MinimumPartSize;

        public long BytesWritten => inner.BytesWritten;

        public Task WritePartAsync(ReadOnlyMemory<byte> part, CancellationToken ct = default) =>
            retrying.RunAsync(ObjectStoreOperation.WritePart, Key, async token =>
            {
                await inner.WritePartAsync(part, token).ConfigureAwait(false);
                return true;
            }, ct);

        public Task CompleteAsync(ReadOnlyMemory<byte> lastPart = default, CancellationToken ct = default) =>
            retrying.RunAsync(ObjectStoreOperation.CompleteWrite, Key, async token =>
            {
                await inner.CompleteAsync(lastPart, token).ConfigureAwait(false);
                return true;
            }, ct);

        public Task AbortAsync(CancellationToken ct = default) =>
            retrying.RunAsync(ObjectStoreOperation.AbortWrite, Key, async token =>
            {
                await inner.AbortAsync(token).ConfigureAwait(false);
                return true;
            }, ct);

        /// <summary>Aborts with retries if the writer did not complete (a no-op if it did), then disposes the one below.</summary>
        public async ValueTask DisposeAsync()
        {
            await AbortAsync(CancellationToken.None).ConfigureAwait(false);
            await inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
