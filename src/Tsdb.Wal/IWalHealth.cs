namespace Tsdb.Wal;

/// <summary>Whether the WAL takes writes and why not: what the probes and the log of a front end read, nothing more.</summary>
public interface IWalHealth
{
    /// <summary>Whether the log takes writes now.</summary>
    WalState State { get; }

    /// <summary>The state, the error that caused it (null when Ok) and since when it holds.</summary>
    (WalState State, string? Message, DateTimeOffset Since) Status { get; }

    /// <summary>Raised once per change of <see cref="State"/>; handlers must be quick and must not throw.</summary>
    event Action<WalStateChange>? StateChanged;
}
