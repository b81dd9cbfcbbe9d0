namespace Tsdb.Wal;

/// <summary>The WAL could not make a write durable; nothing of it was acknowledged.</summary>
public sealed class WalUnavailableException : Exception
{
    public WalUnavailableException(string message) : this(message, WalUnavailableReason.ShutDown, null) { }

    public WalUnavailableException(string message, Exception inner) : this(message, WalUnavailableReason.Stopped, inner) { }

    public WalUnavailableException(string message, WalUnavailableReason reason, Exception? inner)
        : base(message, inner)
    {
        Reason = reason;
    }

    /// <summary>Why: a full disk passes once space is freed (retry), a stopped WAL needs a restart.</summary>
    public WalUnavailableReason Reason { get; }
}
