namespace Tsdb.Core.Diagnostics;

/// <summary>Bytes of <see cref="ProcessMemory"/> held by one piece of background work; disposing gives them back.</summary>
public sealed class ProcessMemoryLease : IDisposable
{
    private readonly ProcessMemory _pool;
    private int _released;

    internal ProcessMemoryLease(ProcessMemory pool, MemoryClaimant claimant, long bytes, TimeSpan waited, bool forced)
    {
        _pool = pool;
        Claimant = claimant;
        Bytes = bytes;
        Waited = waited;
        Forced = forced;
    }

    public MemoryClaimant Claimant { get; }

    public long Bytes { get; }

    /// <summary>How long it waited for its bytes.</summary>
    public TimeSpan Waited { get; }

    /// <summary>True when a persist took its bytes over the limit after waiting <see cref="ProcessMemory.MaxWait"/>.</summary>
    public bool Forced { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _pool.Release(Bytes, Claimant);
        }
    }
}
