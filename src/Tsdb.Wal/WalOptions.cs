namespace Tsdb.Wal;

public sealed record WalOptions
{
    /// <summary>Directory holding the segment files.</summary>
    public required string Directory { get; init; }

    /// <summary>A segment is closed and a new one started once it holds this many bytes.</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    /// <summary>
    /// How long the committer waits for more writes before writing a group. Zero commits as soon as it is idle;
    /// under load, writes that arrive during one fsync share the next anyway.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// New records never get a sequence at or below this one. Set to the catalog's persisted sequence, so that a WAL
    /// lost with its disk cannot hand out numbers that replay would then skip as already persisted.
    /// </summary>
    public long SequenceFloor { get; init; }

    /// <summary>Largest record accepted (and trusted when replaying).</summary>
    public int MaxRecordBytes { get; init; } = 256 << 20;

    /// <summary>While the disk is full and no write comes, how often the WAL checks whether space came back.</summary>
    public TimeSpan DiskFullProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes the check writes (and cuts again): the room a write needs before the WAL reports itself writable.</summary>
    public int DiskFullProbeBytes { get; init; } = 64 << 10;

    /// <summary>Clock for the times of state changes.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
