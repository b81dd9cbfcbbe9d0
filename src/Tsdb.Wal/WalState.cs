namespace Tsdb.Wal;

/// <summary>Whether the WAL takes writes.</summary>
public enum WalState
{
    /// <summary>Writes are made durable.</summary>
    Ok,

    /// <summary>The last write found the disk full; writes are tried again as they come and resume once space is freed.</summary>
    DiskFull,

    /// <summary>An I/O error stopped the WAL; it refuses writes until the server is restarted.</summary>
    Stopped,
}

/// <summary>A change of <see cref="WalState"/>, with the error that caused it (null when it recovered).</summary>
public sealed record WalStateChange(WalState Previous, WalState State, string Message, DateTimeOffset At);
