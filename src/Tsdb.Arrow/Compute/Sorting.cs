using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Multi-key sort returning row order. Each key is prepared once into a form that compares cheaply (numbers widened
/// to 64 bits, dictionary columns replaced by the rank of their dictionary entry, computed by sorting the dictionary
/// once); ties on every key fall back to the row number, which makes the order stable. Floats order NaN above every
/// number; strings order by UTF-8 bytes; false before true. <c>NullsFirst</c> places nulls regardless of direction.
/// </summary>
public static class Sorting
{
    /// <summary>The keys' comparers, once their count and lengths are checked (every key as long as the first).</summary>
    private static SortKey[] Prepare(IReadOnlyList<(ArrowArray Column, bool Descending, bool NullsFirst)> keys, out int length)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("at least one sort key is needed", nameof(keys));
        }
        length = keys[0].Column.Length;
        var prepared = new SortKey[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            if (keys[k].Column.Length != length)
            {
                throw new ArgumentException($"sort key {k} has {keys[k].Column.Length} rows, key 0 has {length}", nameof(keys));
            }
            prepared[k] = SortKey.Create(keys[k].Column.Data, keys[k].Descending, keys[k].NullsFirst);
        }
        return prepared;
    }

    public static int[] SortIndices(IReadOnlyList<(ArrowArray Column, bool Descending, bool NullsFirst)> keys)
    {
        var prepared = Prepare(keys, out var length);
        var order = new int[length];
        for (var i = 0; i < length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, new RowComparer(prepared));
        return order;
    }

    /// <summary>
    /// Whether the rows are already in the keys' order (each row at or after the one before it): a sort of them would
    /// move nothing. One pass of comparisons, no allocation beyond the keys' comparers.
    /// </summary>
    public static bool IsSorted(IReadOnlyList<(ArrowArray Column, bool Descending, bool NullsFirst)> keys)
    {
        var prepared = Prepare(keys, out var length);
        var comparer = new RowComparer(prepared);
        for (var i = 1; i < length; i++)
        {
            if (comparer.Compare(i - 1, i) > 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The first <paramref name="k"/> rows of <see cref="SortIndices"/>, in that order, without sorting the rest: a
    /// bounded heap of the best k seen so far (n log k), so ORDER BY … LIMIT over a large batch stays cheap.
    /// </summary>
    public static int[] TopK(IReadOnlyList<(ArrowArray Column, bool Descending, bool NullsFirst)> keys, int k)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (keys.Count == 0)
        {
            throw new ArgumentException("at least one sort key is needed", nameof(keys));
        }
        var length = keys[0].Column.Length;
        if (k == 0)
        {
            return [];
        }
        if ((long)k * 4 >= length)
        {
            var all = SortIndices(keys);
            return all.Length <= k ? all : all[..k];
        }
        var comparer = new RowComparer(Prepare(keys, out _));
        // A max-heap on the comparer: its root is the worst of the k kept, replaced whenever a better row comes.
        var heap = new int[k];
        var size = 0;
        for (var row = 0; row < length; row++)
        {
            if (size < k)
            {
                heap[size] = row;
                SiftUp(heap, size++, comparer);
            }
            else if (comparer.Compare(row, heap[0]) < 0)
            {
                heap[0] = row;
                SiftDown(heap, size, comparer);
            }
        }
        var result = heap[..size];
        Array.Sort(result, comparer);
        return result;
    }

    private static void SiftUp(int[] heap, int at, RowComparer comparer)
    {
        while (at > 0)
        {
            var parent = (at - 1) / 2;
            if (comparer.Compare(heap[at], heap[parent]) <= 0)
            {
                return;
            }
            (heap[at], heap[parent]) = (heap[parent], heap[at]);
            at = parent;
        }
    }

    private static void SiftDown(int[] heap, int size, RowComparer comparer)
    {
        var at = 0;
        while (true)
        {
            var largest = at;
            var left = (2 * at) + 1;
            var right = left + 1;
            if (left < size && comparer.Compare(heap[left], heap[largest]) > 0)
            {
                largest = left;
            }
            if (right < size && comparer.Compare(heap[right], heap[largest]) > 0)
            {
                largest = right;
            }
            if (largest == at)
            {
                return;
            }
            (heap[at], heap[largest]) = (heap[largest], heap[at]);
            at = largest;
        }
    }

    /// <summary>
    /// For each group (ids in [0, <paramref name="groups"/>)), the row that <see cref="SortIndices"/> would place
    /// first among the group's rows — ties go to the lowest row number, as the stable sort does. One pass, no sort:
    /// <c>DISTINCT ON (k) … ORDER BY k, t DESC</c> needs only this. Groups without rows get -1.
    /// </summary>
    public static int[] FirstPerGroup(IReadOnlyList<(ArrowArray Column, bool Descending, bool NullsFirst)> keys, ReadOnlySpan<int> groupIds, int groups)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var best = new int[groups];
        best.AsSpan().Fill(-1);
        if (keys.Count == 0)
        {
            for (var row = 0; row < groupIds.Length; row++)
            {
                ref var b = ref best[groupIds[row]];
                if (b < 0)
                {
                    b = row;
                }
            }
            return best;
        }
        var prepared = new SortKey[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            if (keys[k].Column.Length != groupIds.Length)
            {
                throw new ArgumentException($"sort key {k} has {keys[k].Column.Length} rows, the group ids {groupIds.Length}", nameof(keys));
            }
            prepared[k] = SortKey.Create(keys[k].Column.Data, keys[k].Descending, keys[k].NullsFirst);
        }
        var comparer = new RowComparer(prepared);
        for (var row = 0; row < groupIds.Length; row++)
        {
            ref var b = ref best[groupIds[row]];
            if (b < 0 || comparer.Compare(row, b) < 0)
            {
                b = row;
            }
        }
        return best;
    }

    /// <summary>
    /// The rows <see cref="SortIndices"/> would place first among each group's rows, up to <paramref name="keep"/> per
    /// group (ties to the lowest row number), in no particular order: a per-series <c>LIMIT n</c> needs only these.
    /// </summary>
    public static int[] FirstPerGroup(IReadOnlyList<(ArrowArray Column, bool Descending, bool NullsFirst)> keys, ReadOnlySpan<int> groupIds, int groups, int keep)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keep);
        if (keep == 1)
        {
            var best = FirstPerGroup(keys, groupIds, groups);
            return [.. best.Where(row => row >= 0)];
        }
        var prepared = new SortKey[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            if (keys[k].Column.Length != groupIds.Length)
            {
                throw new ArgumentException($"sort key {k} has {keys[k].Column.Length} rows, the group ids {groupIds.Length}", nameof(keys));
            }
            prepared[k] = SortKey.Create(keys[k].Column.Data, keys[k].Descending, keys[k].NullsFirst);
        }
        var rows = new int[groupIds.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = i;
        }
        var ids = groupIds.ToArray();
        var byRow = new RowComparer(prepared);
        Array.Sort(rows, Comparer<int>.Create((a, b) => ids[a] != ids[b] ? ids[a].CompareTo(ids[b]) : byRow.Compare(a, b)));
        var kept = new List<int>(Math.Min(rows.Length, groups * keep));
        var run = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            run = i > 0 && ids[rows[i]] == ids[rows[i - 1]] ? run + 1 : 0;
            if (run < keep)
            {
                kept.Add(rows[i]);
            }
        }
        return [.. kept];
    }

    private sealed class RowComparer(SortKey[] keys) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            foreach (var key in keys)
            {
                var c = key.Compare(a, b);
                if (c != 0)
                {
                    return c;
                }
            }
            return a.CompareTo(b);
        }
    }

    private abstract class SortKey
    {
        private byte[]? _validity;
        private bool _descending;
        private bool _nullsFirst;

        public int Compare(int a, int b)
        {
            if (_validity is not null)
            {
                var av = BitUtil.GetBit(_validity, a);
                var bv = BitUtil.GetBit(_validity, b);
                if (!av || !bv)
                {
                    if (av == bv)
                    {
                        return 0;
                    }
                    return !av == _nullsFirst ? -1 : 1;
                }
            }
            var c = CompareValues(a, b);
            return _descending ? -c : c;
        }

        protected abstract int CompareValues(int a, int b);

        public static SortKey Create(ArrayData data, bool descending, bool nullsFirst)
        {
            SortKey key = data.Type.Id switch
            {
                ArrowTypeId.Dictionary => WithValidity(RankKey.Of(data, out var validity), validity),
                ArrowTypeId.Boolean => new BoolKey(Bitmaps.BooleanValues(data)),
                ArrowTypeId.Null => new BoolKey(new byte[BitUtil.BytesFor(data.Length)]),
                _ when data.Type.IsVariableWidth => new BytesKey((VariableWidthArray)ArrowArray.Create(data)),
                _ => NumericValues.KindOf(data.Type) switch
                {
                    NumericKind.Signed => new Int64Key(NumericValues.ToInt64(data)),
                    NumericKind.Unsigned => new UInt64Key(NumericValues.ToUInt64(data)),
                    NumericKind.Float => new DoubleKey(NumericValues.ToDouble(data)),
                    _ => throw new NotSupportedException($"cannot sort {data.Type}"),
                },
            };
            key._validity ??= Bitmaps.Validity(data);
            key._descending = descending;
            key._nullsFirst = nullsFirst;
            return key;
        }

        private static SortKey WithValidity(SortKey key, byte[]? validity)
        {
            key._validity = validity;
            return key;
        }
    }

    private sealed class Int64Key(long[] values) : SortKey
    {
        protected override int CompareValues(int a, int b) => values[a].CompareTo(values[b]);
    }

    private sealed class UInt64Key(ulong[] values) : SortKey
    {
        protected override int CompareValues(int a, int b) => values[a].CompareTo(values[b]);
    }

    private sealed class DoubleKey(double[] values) : SortKey
    {
        protected override int CompareValues(int a, int b) => NumericValues.CompareDouble(values[a], values[b]);
    }

    private sealed class BoolKey(byte[] bits) : SortKey
    {
        protected override int CompareValues(int a, int b) => BitUtil.GetBit(bits, a).CompareTo(BitUtil.GetBit(bits, b));
    }

    private sealed class BytesKey(VariableWidthArray array) : SortKey
    {
        protected override int CompareValues(int a, int b) => array.GetBytes(a).SequenceCompareTo(array.GetBytes(b));
    }

    private sealed class RankKey(int[] ranks) : SortKey
    {
        protected override int CompareValues(int a, int b) => ranks[a].CompareTo(ranks[b]);

        /// <summary>Ranks the dictionary once (equal values share a rank), then maps each row's index to its rank.
        /// Rows whose index is null, or points at a null dictionary entry, are null.</summary>
        public static RankKey Of(ArrayData data, out byte[]? validity)
        {
            var dictionary = data.Dictionary!;
            var entryOrder = SortIndices([(ArrowArray.Create(dictionary), false, false)]);
            var entryKey = Create(dictionary, false, false);
            var entryRank = new int[dictionary.Length];
            var rank = 0;
            for (var i = 0; i < entryOrder.Length; i++)
            {
                if (i > 0 && entryKey.Compare(entryOrder[i - 1], entryOrder[i]) != 0)
                {
                    rank++;
                }
                entryRank[entryOrder[i]] = rank;
            }
            var entryValid = Bitmaps.Validity(dictionary);
            var indices = Comparison.DictionaryIndices(data);
            var ranks = new int[indices.Length];
            validity = Bitmaps.Validity(data);
            for (var i = 0; i < indices.Length; i++)
            {
                var index = indices[i];
                if (index < 0)
                {
                    continue;
                }
                ranks[i] = entryRank[index];
                if (entryValid is not null && !BitUtil.GetBit(entryValid, index))
                {
                    if (validity is null)
                    {
                        validity = new byte[BitUtil.BytesFor(indices.Length)];
                        validity.AsSpan().Fill(0xFF);
                    }
                    BitUtil.ClearBit(validity, i);
                }
            }
            return new RankKey(ranks);
        }
    }
}
