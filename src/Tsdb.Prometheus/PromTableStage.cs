using Tsdb.Wal;

namespace Tsdb.Prometheus;

/// <summary>One table's samples in one remote-write request: its tag columns (by slot) and a partition per UTC day.</summary>
internal sealed class PromTableStage(string name) : IDisposable
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<int, PromPartitionStage> _partitions = [];
    private PromPartitionStage? _last;

    public string Name { get; } = name;

    /// <summary>Samples before this time (ns) are outside the table's retention and dropped; <see cref="long.MinValue"/> when none are.</summary>
    public long RetentionCutoff { get; set; } = long.MinValue;

    /// <summary>The retention period behind <see cref="RetentionCutoff"/>, and whose it is (for the error).</summary>
    public TimeSpan? RetentionPeriod { get; set; }

    public string? RetentionOwner { get; set; }

    public List<string> TagNames { get; } = [];

    public bool TryGetSlot(string tag, out int slot) => _slots.TryGetValue(tag, out slot);

    public int AddSlot(string tag)
    {
        var slot = TagNames.Count;
        TagNames.Add(tag);
        _slots[tag] = slot;
        return slot;
    }

    public PromPartitionStage Partition(int day)
    {
        if (_last is { } last && last.Day == day)
        {
            return last;
        }
        if (!_partitions.TryGetValue(day, out var partition))
        {
            _partitions[day] = partition = new PromPartitionStage(day);
        }
        _last = partition;
        return partition;
    }

    public void AddWrites(List<WalTableWrite> writes)
    {
        foreach (var partition in _partitions.Values.OrderBy(p => p.Day))
        {
            writes.Add(new WalTableWrite(Name, partition.Build(TagNames)));
        }
    }

    public void Dispose()
    {
        foreach (var partition in _partitions.Values)
        {
            partition.Dispose();
        }
    }
}
