namespace Tsdb.Storage.Persistence;

/// <summary>
/// Held by the services that replace published files (the <see cref="Compactor"/> and the
/// <see cref="RetentionService"/>), so that two of them never read the same file and each publish a replacement:
/// both replacements would hold its rows. A persist only adds files (new rows, higher sequences) and publishes
/// them in one catalog update, so it runs beside either without this gate.
/// </summary>
public sealed class FileRewriteGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_gate);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
