using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.Core.Time;

namespace Tsdb.Ingest;

/// <summary>
/// One table's rows in one write: the columns resolved against the catalog (slots, by name, with their kinds; slot 0
/// is time), its retention cutoff, and a partition per UTC day its rows fall in.
/// </summary>
public sealed class StagedTable : IDisposable
{
    /// <summary>The slot of the time column, in every table.</summary>
    public const int TimeSlot = 0;

    private readonly Dictionary<string, int> _slotsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _slotsByChars;
    private readonly Dictionary<int, StagedPartition> _partitions = [];
    private readonly WriteStager _stager;
    private StagedPartition? _lastPartition;
    private int[] _seen = new int[16];

    internal StagedTable(WriteStager stager, string name)
    {
        _stager = stager;
        Name = name;
        _slotsByChars = _slotsByName.GetAlternateLookup<ReadOnlySpan<char>>();
        AddSlot(TableDefinition.TimeColumn, ColumnKind.Time);
    }

    public string Name { get; }

    /// <summary>Points before this time (ns) are outside the table's retention; <see cref="long.MinValue"/> when none are.</summary>
    public long RetentionCutoff { get; internal set; } = long.MinValue;

    internal TimeSpan? RetentionPeriod { get; set; }

    internal string? RetentionOwner { get; set; }

    /// <summary>Resolved columns, in the order this write met them.</summary>
    public IReadOnlyList<(string Name, ColumnKind Kind)> Slots => _slots;

    private readonly List<(string Name, ColumnKind Kind)> _slots = [];

    /// <summary>Why a point at <paramref name="time"/> (ns, before <see cref="RetentionCutoff"/>) cannot be stored.</summary>
    public string Expired(long time) => RetentionText.Expired(time, RetentionPeriod!.Value, RetentionOwner!, RetentionCutoff);

    public bool TryGetSlot(ReadOnlySpan<char> name, out int slot) => _slotsByChars.TryGetValue(name, out slot);

    public bool TryGetSlot(string name, out int slot) => _slotsByName.TryGetValue(name, out slot);

    /// <summary>Marks a slot as used by the row with <paramref name="stamp"/>; false if that row used it already.</summary>
    public bool MarkSeen(int slot, int stamp)
    {
        if (_seen[slot] == stamp)
        {
            return false;
        }
        _seen[slot] = stamp;
        return true;
    }

    /// <summary>The partition of one UTC day (days since the epoch, <see cref="PartitionDay"/>).</summary>
    public StagedPartition Partition(int day)
    {
        if (_lastPartition is { } last && last.Day == day)
        {
            return last;
        }
        if (!_partitions.TryGetValue(day, out var partition))
        {
            _partitions[day] = partition = new StagedPartition(this, _stager, day);
        }
        _lastPartition = partition;
        return partition;
    }

    internal int AddSlot(string name, ColumnKind kind)
    {
        if (_slots.Count == _seen.Length)
        {
            Array.Resize(ref _seen, _seen.Length * 2);
        }
        var slot = _slots.Count;
        _slots.Add((name, kind));
        _slotsByName[name] = slot;
        return slot;
    }

    internal IEnumerable<StagedPartition> PartitionsByDay => _partitions.Values.OrderBy(p => p.Day);

    public void Dispose()
    {
        foreach (var partition in _partitions.Values)
        {
            partition.Dispose();
        }
    }
}
