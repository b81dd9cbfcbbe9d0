namespace Tsdb.Query.Execution;

/// <summary>
/// Where each row of a sorted segment sits: its partition [<see cref="PartitionStart"/>, <see cref="PartitionEnd"/>)
/// and its peer group (rows with equal ORDER BY keys) [<see cref="PeerStart"/>, <see cref="PeerEnd"/>), as row
/// positions in the segment.
/// </summary>
internal sealed class WindowRows(int[] partitionStart, int[] partitionEnd, int[] peerStart, int[] peerEnd)
{
    public int[] PartitionStart { get; } = partitionStart;

    public int[] PartitionEnd { get; } = partitionEnd;

    public int[] PeerStart { get; } = peerStart;

    public int[] PeerEnd { get; } = peerEnd;

    public int Length => PartitionStart.Length;
}
