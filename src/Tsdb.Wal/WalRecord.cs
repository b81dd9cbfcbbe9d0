namespace Tsdb.Wal;

/// <summary>One acknowledged write: its sequence number in the log, its database, and its rows per table.</summary>
public sealed record WalRecord(long Sequence, string Database, IReadOnlyList<WalTableWrite> Tables);
