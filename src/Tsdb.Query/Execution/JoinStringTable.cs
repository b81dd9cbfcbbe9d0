using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Execution;

/// <summary>
/// The distinct byte strings of one build-side key column, numbered 0, 1, 2 … in an open-addressing table. Entries
/// point at the build column (or its dictionary) instead of copying the bytes. The probe side looks its strings up
/// (never adding), so a string the build side lacks gets <see cref="Missing"/>, which equals no build code.
/// </summary>
internal sealed class JoinStringTable(JoinMemory memory)
{
    /// <summary>A probe string the build side does not have.</summary>
    public const long Missing = -1;

    /// <summary>A null value (also a null dictionary entry).</summary>
    public const long NullValue = -2;

    private VariableWidthArray? _source;
    private int[] _slots = [];      // id + 1; 0 = empty
    private int[] _firstIndex = []; // the source index holding each id's bytes
    private uint[] _hashes = [];
    private int _count;

    /// <summary>Numbers every value of <paramref name="source"/> (the build side's, once).</summary>
    public void Intern(VariableWidthArray source, Span<long> ids)
    {
        if (_source is not null)
        {
            throw new InvalidOperationException("the build side's strings are interned once");
        }
        _source = source;
        Resize(64, 16);
        for (var i = 0; i < source.Length; i++)
        {
            if (source.IsNull(i))
            {
                ids[i] = NullValue;
                continue;
            }
            var bytes = source.GetBytes(i);
            var hash = Hash(bytes);
            var mask = _slots.Length - 1;
            var slot = (int)(hash & (uint)mask);
            while (true)
            {
                var entry = _slots[slot];
                if (entry == 0)
                {
                    if (_count == _firstIndex.Length)
                    {
                        Resize(_slots.Length, _count * 2);
                    }
                    _firstIndex[_count] = i;
                    _hashes[_count] = hash;
                    _slots[slot] = ++_count;
                    ids[i] = _count - 1;
                    if (_count * 2 > _slots.Length)
                    {
                        Resize(_slots.Length * 2, _firstIndex.Length);
                    }
                    break;
                }
                if (_hashes[entry - 1] == hash && source.GetBytes(_firstIndex[entry - 1]).SequenceEqual(bytes))
                {
                    ids[i] = entry - 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
    }

    /// <summary>The build id of every value of a probe-side <paramref name="values"/>.</summary>
    public void Lookup(VariableWidthArray values, Span<long> ids, byte[]? validity)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ids[i] = JoinColumns.IsValid(validity, i) ? Find(values.GetBytes(i)) : NullValue;
        }
    }

    public long Find(ReadOnlySpan<byte> bytes)
    {
        if (_count == 0)
        {
            return Missing;
        }
        var source = _source!;
        var hash = Hash(bytes);
        var mask = _slots.Length - 1;
        var slot = (int)(hash & (uint)mask);
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return Missing;
            }
            if (_hashes[entry - 1] == hash && source.GetBytes(_firstIndex[entry - 1]).SequenceEqual(bytes))
            {
                return entry - 1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        var hasher = default(HashCode);
        hasher.AddBytes(bytes);
        return (uint)hasher.ToHashCode();
    }

    /// <summary>Grows the slot table and/or the per-id arrays, reserving the new arrays before allocating them.</summary>
    private void Resize(int slots, int ids)
    {
        var before = (_slots.Length * 4L) + (_firstIndex.Length * 8L);
        memory.Grow((slots * 4L) + (ids * 8L));
        if (ids != _firstIndex.Length)
        {
            Array.Resize(ref _firstIndex, ids);
            Array.Resize(ref _hashes, ids);
        }
        if (slots != _slots.Length)
        {
            _slots = new int[slots];
            var mask = slots - 1;
            for (var id = 0; id < _count; id++)
            {
                var slot = (int)(_hashes[id] & (uint)mask);
                while (_slots[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }
                _slots[slot] = id + 1;
            }
        }
        memory.Shrink(before);
    }
}
