using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.LineProtocol;

namespace Tsdb.Ingest;

/// <summary>
/// One table's rows in one request: the columns it has resolved against the catalog (by name, with their kinds)
/// and a partition stage per UTC day its rows fall in.
/// </summary>
internal sealed class TableStage : IDisposable
{
    private readonly Dictionary<string, int> _slotsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _slotsByChars;
    private readonly Dictionary<int, PartitionStage> _partitions = [];
    private PartitionStage? _lastPartition;

    public TableStage(string name)
    {
        Name = name;
        _slotsByChars = _slotsByName.GetAlternateLookup<ReadOnlySpan<char>>();
        AddSlot(TableDefinition.TimeColumn, ColumnKind.Time);
    }

    public string Name { get; }

    /// <summary>Points before this time (ns) are outside the table's retention and refused; <see cref="long.MinValue"/> when none are.</summary>
    public long RetentionCutoff { get; set; } = long.MinValue;

    /// <summary>The retention period behind <see cref="RetentionCutoff"/>, and whose it is (for the error).</summary>
    public TimeSpan? RetentionPeriod { get; set; }

    public string? RetentionOwner { get; set; }

    /// <summary>Resolved columns, in the order this request met them; slot 0 is time.</summary>
    public List<(string Name, ColumnKind Kind)> Slots { get; } = [];

    public IEnumerable<PartitionStage> Partitions => _partitions.Values;

    public bool TryGetSlot(ReadOnlySpan<char> name, out int slot) => _slotsByChars.TryGetValue(name, out slot);

    private int[] _seen = new int[16];
    private TextRange[] _cachedKeys = new TextRange[32];
    private int[] _cachedSlots = new int[32];
    private int _cachedCount;

    /// <summary>The key range and slot seen at <paramref name="position"/> of the last line that resolved it.</summary>
    public bool TryGetCachedKey(int position, out TextRange key, out int slot)
    {
        if (position < _cachedCount)
        {
            key = _cachedKeys[position];
            slot = _cachedSlots[position];
            return key.Length > 0;
        }
        key = default;
        slot = -1;
        return false;
    }

    public void CacheKey(int position, TextRange key, int slot)
    {
        if (position >= _cachedKeys.Length)
        {
            Array.Resize(ref _cachedKeys, Math.Max(position + 1, _cachedKeys.Length * 2));
            Array.Resize(ref _cachedSlots, _cachedKeys.Length);
        }
        _cachedKeys[position] = key;
        _cachedSlots[position] = slot;
        _cachedCount = Math.Max(_cachedCount, position + 1);
    }

    /// <summary>Marks a slot as used by the line with <paramref name="stamp"/>; false if that line used it already.</summary>
    public bool MarkSeen(int slot, int stamp)
    {
        if (_seen[slot] == stamp)
        {
            return false;
        }
        _seen[slot] = stamp;
        return true;
    }

    public int AddSlot(string name, ColumnKind kind)
    {
        if (Slots.Count == _seen.Length)
        {
            Array.Resize(ref _seen, _seen.Length * 2);
        }
        var slot = Slots.Count;
        Slots.Add((name, kind));
        _slotsByName[name] = slot;
        return slot;
    }

    public void Dispose()
    {
        foreach (var partition in _partitions.Values)
        {
            partition.Dispose();
        }
    }

    public PartitionStage Partition(int day)
    {
        if (_lastPartition is { } last && last.Day == day)
        {
            return last;
        }
        if (!_partitions.TryGetValue(day, out var partition))
        {
            _partitions[day] = partition = new PartitionStage(day);
        }
        _lastPartition = partition;
        return partition;
    }
}

/// <summary>The rows of one table and one day in one request, as column builders indexed by the table's slots.</summary>
internal sealed class PartitionStage(int day) : IDisposable
{
    private ColumnStage?[] _columns = new ColumnStage?[8];

    public int Day { get; } = day;

    public int RowCount { get; set; }

    public ColumnStage Column(int slot, TableStage table)
    {
        if (slot >= _columns.Length)
        {
            Array.Resize(ref _columns, Math.Max(slot + 1, _columns.Length * 2));
        }
        if (_columns[slot] is not { } column)
        {
            var (name, kind) = table.Slots[slot];
            _columns[slot] = column = new ColumnStage(name, kind);
        }
        // Earlier rows of this partition did not have this column: they are null in it.
        column.PadTo(RowCount);
        return column;
    }

    public IEnumerable<ColumnStage> Columns => _columns.OfType<ColumnStage>();

    public void Dispose()
    {
        foreach (var column in Columns)
        {
            column.Dispose();
        }
    }
}
