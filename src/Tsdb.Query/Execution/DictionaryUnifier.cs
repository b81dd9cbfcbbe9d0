using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// One string dictionary for the rows gathered from many batches, each with a dictionary of its own: every source
/// dictionary is mapped to the unified one once (remembered by reference), after which a row costs an array lookup.
/// Values are only ever appended, so successive snapshots extend each other (an IPC writer sends them as deltas),
/// and batches gathered between two new source dictionaries share one snapshot (an IPC writer sends it once).
/// </summary>
internal sealed class DictionaryUnifier
{
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly List<string> _values = [];
    private readonly Dictionary<ArrayData, int[]> _remaps = new(ReferenceEqualityComparer.Instance);
    private ArrayData? _snapshot;

    /// <summary>For each entry of <paramref name="dictionary"/> its position in the unified dictionary, or -1 for a
    /// null entry (the row is then null, as Sorting treats it).</summary>
    public int[] Remap(ArrayData dictionary)
    {
        if (_remaps.TryGetValue(dictionary, out var remap))
        {
            return remap;
        }
        var entries = (StringArray)ArrowArray.Create(dictionary);
        remap = new int[entries.Length];
        for (var e = 0; e < remap.Length; e++)
        {
            var value = entries.GetString(e);
            if (value is null)
            {
                remap[e] = -1;
                continue;
            }
            if (!_positions.TryGetValue(value, out var position))
            {
                position = _positions[value] = _values.Count;
                _values.Add(value);
            }
            remap[e] = position;
        }
        _remaps[dictionary] = remap;
        return remap;
    }

    /// <summary>
    /// Dictionary arrays of one type as one array over a unified dictionary. Unlike <c>ArrayConcatenation</c>, which
    /// turns a null dictionary entry into "", a row pointing at a null entry stays null, as <c>Sorting</c> and
    /// <see cref="MergeKeyColumn"/> see it: the sort of a run and the merge of runs must agree on every row.
    /// </summary>
    public static ArrayData Concatenate(ArrowType type, IReadOnlyList<ArrayData> parts)
    {
        var unifier = new DictionaryUnifier();
        var length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }
        var bytes = new byte[length * sizeof(int)];
        var indices = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
        var validity = new byte[BitUtil.BytesFor(length)];
        var nulls = 0;
        var at = 0;
        foreach (var part in parts)
        {
            var remap = unifier.Remap(part.Dictionary!);
            var values = part.GetValues<int>();
            for (var r = 0; r < part.Length; r++, at++)
            {
                var index = part.IsNull(r) ? -1 : remap[values[r]];
                if (index < 0)
                {
                    nulls++;
                }
                else
                {
                    indices[at] = index;
                    BitUtil.SetBit(validity, at);
                }
            }
        }
        return new ArrayData(type, length, nulls, [nulls == 0 ? ReadOnlyMemory<byte>.Empty : validity, bytes], dictionary: unifier.Snapshot());
    }

    /// <summary>The unified dictionary as it stands (the same object until a new value is added).</summary>
    public ArrayData Snapshot()
    {
        if (_snapshot is null || _snapshot.Length != _values.Count)
        {
            using var builder = new VariableWidthArrayBuilder(ArrowType.Utf8);
            foreach (var value in _values)
            {
                builder.Append(value);
            }
            _snapshot = builder.BuildData();
        }
        return _snapshot;
    }
}
