namespace Tsdb.Wal;

/// <summary>The WAL could not make a write durable (an I/O error, or it is shut down); nothing was acknowledged.</summary>
public sealed class WalUnavailableException : Exception
{
    public WalUnavailableException(string message) : base(message) { }

    public WalUnavailableException(string message, Exception inner) : base(message, inner) { }
}
