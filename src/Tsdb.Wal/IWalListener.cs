namespace Tsdb.Wal;

/// <summary>
/// Told about every record, in sequence order: during replay at start, and for each new record once it is written
/// (before the fsync that makes it durable completes). The WAL knows nothing else about who listens.
/// </summary>
public interface IWalListener
{
    void OnRecord(WalRecord record);
}
