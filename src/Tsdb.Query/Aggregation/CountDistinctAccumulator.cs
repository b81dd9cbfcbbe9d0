using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// count(DISTINCT x): one hash set of (group, value) pairs for all groups (one set per group would cost an object per
/// group), and a running count per group bumped when a pair is new. Values are read per batch into a comparable key
/// (<see cref="DistinctKeys"/>): integers and timestamps as long, unsigned as ulong, floats as double with -0 and the
/// NaNs folded together, strings (dictionary tags decoded once per dictionary entry) by content.
/// </summary>
internal sealed class CountDistinctAccumulator<T> : IGroupsAccumulator where T : notnull, IEquatable<T>
{
    private readonly Func<ArrowArray, (T[] Values, bool[]? Valid)> _read;
    private readonly Func<T, long> _size;
    private readonly HashSet<(int Group, T Value)> _seen = [];
    private readonly HashSet<long> _batchPairs = [];
    private long[] _counts = [];
    private int _groups;
    private long _valueBytes;

    public CountDistinctAccumulator(Func<ArrowArray, (T[] Values, bool[]? Valid)> read, Func<T, long> size)
    {
        _read = read;
        _size = size;
    }

    /// <summary>The counts, plus per set entry the pair, its hash and next link and the slot (about 16 bytes of overhead).</summary>
    public long MemoryBytes => ((long)_counts.Length * sizeof(long)) + _valueBytes + (_seen.Count * 20L);

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 1);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var input = arguments[0];
        if (input.Type.Id == ArrowTypeId.Null || ids.Length == 0)
        {
            return;
        }
        if (typeof(T) == typeof(string) && input is DictionaryArray { Type.IndexType.Id: ArrowTypeId.Int32 } tags)
        {
            UpdateTags(tags, ids);
            return;
        }
        var (values, valid) = _read(input);
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g >= 0 && (valid is null || valid[i]))
            {
                Add(g, values[i]);
            }
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (CountDistinctAccumulator<T>)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        foreach (var (g, value) in that._seen)
        {
            Add(mapping[g], value);
        }
    }

    public ArrowArray Evaluate() => Columns.FromValues(ArrowType.Int64, _counts[.._groups], null);

    /// <summary>
    /// A tag column: rows are first deduplicated by (group, dictionary index), which is cheap and stays small, and
    /// only each new pair's decoded string goes into the set (dictionaries differ per batch, so strings are the key).
    /// </summary>
    private void UpdateTags(DictionaryArray tags, ReadOnlySpan<int> ids)
    {
        var entries = Columns.StringValues(tags.Dictionary);
        var indices = tags.Int32Indices;
        var validity = tags.NullCount == 0 ? default : tags.Data.Validity;
        var offset = tags.Data.Offset;
        _batchPairs.Clear();
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g < 0 || (!validity.IsEmpty && !BitUtil.GetBit(validity, offset + i)))
            {
                continue;
            }
            var entry = indices[i];
            if (entries[entry] is { } text && _batchPairs.Add(((long)g << 32) | (uint)entry))
            {
                Add(g, (T)(object)text);   // T is string here: a reference conversion, no boxing
            }
        }
    }

    private void Add(int group, T value)
    {
        if (_seen.Add((group, value)))
        {
            _counts[group]++;
            _valueBytes += _size(value);
        }
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _counts, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
