namespace Tsdb.Wal;

/// <summary>Inside the committer: a group met a full disk and was cut from the segment (the WAL stays open).</summary>
internal sealed class WalDiskFullException(string message, Exception inner) : IOException(message, inner);
