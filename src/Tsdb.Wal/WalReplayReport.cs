namespace Tsdb.Wal;

/// <summary>What replay found: records applied, and every place a torn or corrupt tail was cut.</summary>
public sealed class WalReplayReport
{
    public int SegmentCount { get; internal set; }

    public long RecordCount { get; internal set; }

    public long LastSequence { get; internal set; }

    public List<string> Problems { get; } = [];
}
