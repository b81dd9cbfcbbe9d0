namespace Tsdb.ObjectStore;

public sealed partial class MetricsObjectStore
{
    /// <summary>Opening is not counted (no store makes a request for it); each part, completion and abort is.</summary>
    public async Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default) =>
        new Writer(this, await _inner.OpenWriteAsync(key, ct).ConfigureAwait(false));

    private sealed class Writer(MetricsObjectStore metrics, IObjectWriter inner) : IObjectWriter
    {
        private bool _finished; // completed or aborted: later calls do nothing below and are not counted

        public string Key => inner.Key;

        public int MinimumPartSize => inner.MinimumPartSize;

        public long BytesWritten => inner.BytesWritten;

        public Task WritePartAsync(ReadOnlyMemory<byte> part, CancellationToken ct = default) =>
            CountAsync(ObjectStoreOperation.WritePart, part.Length, token => inner.WritePartAsync(part, token), ct);

        public async Task CompleteAsync(ReadOnlyMemory<byte> lastPart = default, CancellationToken ct = default)
        {
            if (_finished)
            {
                await inner.CompleteAsync(lastPart, ct).ConfigureAwait(false);
                return;
            }
            await CountAsync(ObjectStoreOperation.CompleteWrite, lastPart.Length, token => inner.CompleteAsync(lastPart, token), ct).ConfigureAwait(false);
            _finished = true;
        }

        public async Task AbortAsync(CancellationToken ct = default)
        {
            if (_finished)
            {
                await inner.AbortAsync(ct).ConfigureAwait(false);
                return;
            }
            await CountAsync(ObjectStoreOperation.AbortWrite, 0, inner.AbortAsync, ct).ConfigureAwait(false);
            _finished = true;
        }

        /// <summary>Disposing a writer that did not finish is its abort, and counted as one.</summary>
        public async ValueTask DisposeAsync()
        {
            if (_finished)
            {
                await inner.DisposeAsync().ConfigureAwait(false);
                return;
            }
            await CountAsync(ObjectStoreOperation.AbortWrite, 0, async _ => await inner.DisposeAsync().ConfigureAwait(false), CancellationToken.None)
                .ConfigureAwait(false);
            _finished = true;
        }

        private async Task CountAsync(ObjectStoreOperation operation, long bytes, Func<CancellationToken, Task> call, CancellationToken ct)
        {
            var counters = metrics.Start(operation, out var started);
            try
            {
                await call(ct).ConfigureAwait(false);
                if (bytes > 0)
                {
                    counters.Written(bytes);
                }
            }
            catch (Exception e)
            {
                counters.Fail(e, ct);
                throw;
            }
            finally
            {
                metrics.Stop(counters, started);
            }
        }
    }
}
