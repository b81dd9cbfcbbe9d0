namespace Tsdb.Wal;

public enum WalUnavailableReason
{
    /// <summary>The disk (or quota) is full: the record was cut from the segment and the WAL still takes writes.</summary>
    DiskFull,

    /// <summary>An I/O error the WAL cannot vouch past (a failed fsync, a failed cut): it refuses writes until restart.</summary>
    Stopped,

    /// <summary>The WAL is closing.</summary>
    ShutDown,
}
