using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Group ids for GROUP BY. Every key column is first reduced to one 64-bit code per row — the value's bits for
/// numbers (floats canonicalised so -0.0 = 0.0 and all NaNs are one group), the dictionary index for dictionary
/// columns (no string is touched), and for strings an id from interning the bytes — and then the tuples of codes are
/// numbered through one open-addressing table. Nulls group with nulls. Ids follow order of first appearance.
/// </summary>
public static class Hashing
{
    public static int[] GroupIds(IReadOnlyList<ArrowArray> keys, out int groupCount)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("at least one group key is needed", nameof(keys));
        }
        var length = keys[0].Length;
        for (var k = 0; k < keys.Count; k++)
        {
            if (keys[k].Length != length)
            {
                throw new ArgumentException($"group key {k} has {keys[k].Length} rows, key 0 has {length}", nameof(keys));
            }
        }
        // Each key numbered densely on its own first: cheap for the usual keys (dictionary tags are array lookups,
        // time buckets come in runs of equal values; both read in place). A small product of the key counts then
        // indexes a table directly; a large one goes through the hash table below.
        if (keys.Count == 1)
        {
            var only = new int[length];
            groupCount = DenseKey(keys[0].Data, only);
            return only;
        }
        // With several keys the per-key numbers are scratch: rented, and given back once the tuples are numbered.
        var dense = new int[keys.Count][];
        var counts = new int[keys.Count];
        long space = 1;
        try
        {
            for (var k = 0; k < keys.Count; k++)
            {
                dense[k] = System.Buffers.ArrayPool<int>.Shared.Rent(length);
                counts[k] = DenseKey(keys[k].Data, dense[k].AsSpan(0, length));
                space = Math.Min(space * Math.Max(counts[k], 1), long.MaxValue / 1_000_000);
            }
            var direct = new int[length];
            if (space <= Math.Max(1 << 16, 2L * length))
            {
                groupCount = DirectGroups(dense, counts, direct);
                return direct;
            }
        }
        finally
        {
            foreach (var rented in dense)
            {
                if (rented is not null)
                {
                    System.Buffers.ArrayPool<int>.Shared.Return(rented);
                }
            }
        }
        var ids = new int[length];
        var codes = new long[keys.Count][];
        var validity = new byte[]?[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            codes[k] = Codes(keys[k].Data, out validity[k]);
        }
        var table = new int[64];                  // group id + 1; 0 = empty
        var groupRows = new int[16];              // first row of each group
        var groupHashes = new ulong[16];
        var groups = 0;
        for (var row = 0; row < length; row++)
        {
            var hash = RowHash(codes, validity, row);
            var mask = table.Length - 1;
            var slot = (int)(hash & (ulong)mask);
            int id;
            while (true)
            {
                var entry = table[slot];
                if (entry == 0)
                {
                    id = groups++;
                    if (id == groupRows.Length)
                    {
                        Array.Resize(ref groupRows, id * 2);
                        Array.Resize(ref groupHashes, id * 2);
                    }
                    groupRows[id] = row;
                    groupHashes[id] = hash;
                    table[slot] = id + 1;
                    if (groups * 2 > table.Length)
                    {
                        table = Rehash(table.Length * 2, groupHashes, groups);
                    }
                    break;
                }
                if (groupHashes[entry - 1] == hash && RowsEqual(codes, validity, groupRows[entry - 1], row))
                {
                    id = entry - 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }
            ids[row] = id;
        }
        groupCount = groups;
        return ids;
    }

    /// <summary>Groups of tuples of dense key numbers, through a table indexed by the tuple (mixed radix).</summary>
    private static int DirectGroups(int[][] dense, int[] counts, int[] ids)
    {
        var space = 1;
        foreach (var c in counts)
        {
            space *= Math.Max(c, 1);
        }
        var groupOf = new int[space];   // group id + 1; 0 = not seen yet
        var groups = 0;
        for (var row = 0; row < ids.Length; row++)
        {
            var slot = 0;
            for (var k = 0; k < dense.Length; k++)
            {
                slot = (slot * counts[k]) + dense[k][row];
            }
            ref var g = ref groupOf[slot];
            if (g == 0)
            {
                g = ++groups;
            }
            ids[row] = g - 1;
        }
        return groups;
    }

    /// <summary>One key's dense numbers; dictionary and 64-bit integer columns are read in place.</summary>
    private static int DenseKey(ArrayData data, Span<int> ids)
    {
        switch (data.Type.Id)
        {
            case ArrowTypeId.Dictionary:
                var dictionaryLength = data.Dictionary!.Length;
                // The usual tag column (int32 indices, no nulls) is read in place; others through a checked copy.
                var indices = data.Type.IndexType!.Id == ArrowTypeId.Int32 && data.NullCount == 0
                    ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length)
                    : Comparison.DictionaryIndices(data);
                var groupOf = new int[dictionaryLength + 1]; // last slot: the null group; 0 = not seen yet
                var groups = 0;
                for (var row = 0; row < ids.Length; row++)
                {
                    var index = indices[row];
                    var slot = index;
                    if ((uint)index >= (uint)dictionaryLength)
                    {
                        // -1 is a null row (only the checked copy has those); anything else is a corrupt index.
                        slot = index == -1 && data.NullCount != 0 ? dictionaryLength
                            : throw new InvalidOperationException($"dictionary index {index} at row {row} is outside a dictionary of {dictionaryLength} values");
                    }
                    ref var g = ref groupOf[slot];
                    if (g == 0)
                    {
                        g = ++groups;
                    }
                    ids[row] = g - 1;
                }
                return groups;
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp:
                return DenseIds(data.GetValues<long>(), Bitmaps.Validity(data), ids);
            default:
                var codes = Codes(data, out var validity);
                return DenseIds(codes, validity, ids);
        }
    }

    /// <summary>Numbers the distinct codes (nulls as one more value) in order of first appearance; returns how many.</summary>
    private static int DenseIds(ReadOnlySpan<long> codes, byte[]? validity, Span<int> ids)
    {
        var table = new int[64];                  // number + 1; 0 = empty
        var values = new long[16];
        var distinct = 0;
        var nullId = -1;
        var previous = 0L;
        var previousId = -1;
        for (var row = 0; row < codes.Length; row++)
        {
            if (validity is not null && !BitUtil.GetBit(validity, row))
            {
                if (nullId < 0)
                {
                    nullId = distinct++;
                    if (nullId == values.Length)
                    {
                        Array.Resize(ref values, nullId * 2);
                    }
                }
                ids[row] = nullId;
                continue;
            }
            var code = codes[row];
            if (previousId >= 0 && code == previous)
            {
                ids[row] = previousId;   // runs of equal values (time buckets, sorted tags) skip the table
                continue;
            }
            var hash = (ulong)code * 0x9E3779B97F4A7C15UL;
            var mask = table.Length - 1;
            var slot = (int)((hash >> 32) & (ulong)mask);
            int id;
            while (true)
            {
                var entry = table[slot];
                if (entry == 0)
                {
                    id = distinct++;
                    if (id >= values.Length)
                    {
                        Array.Resize(ref values, values.Length * 2);
                    }
                    values[id] = code;
                    table[slot] = id + 1;
                    if (distinct * 2 > table.Length)
                    {
                        table = RehashValues(table.Length * 2, values, distinct, nullId);
                    }
                    break;
                }
                if (entry - 1 != nullId && values[entry - 1] == code)
                {
                    id = entry - 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }
            ids[row] = id;
            previous = code;
            previousId = id;
        }
        return distinct;
    }

    private static int[] RehashValues(int size, long[] values, int count, int nullId)
    {
        var table = new int[size];
        var mask = size - 1;
        for (var id = 0; id < count; id++)
        {
            if (id == nullId)
            {
                continue;
            }
            var slot = (int)((((ulong)values[id] * 0x9E3779B97F4A7C15UL) >> 32) & (ulong)mask);
            while (table[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            table[slot] = id + 1;
        }
        return table;
    }

    private static int[] Rehash(int size, ulong[] hashes, int groups)
    {
        var table = new int[size];
        var mask = size - 1;
        for (var id = 0; id < groups; id++)
        {
            var slot = (int)(hashes[id] & (ulong)mask);
            while (table[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            table[slot] = id + 1;
        }
        return table;
    }

    private static ulong RowHash(long[][] codes, byte[]?[] validity, int row)
    {
        var h = 0x9E3779B97F4A7C15UL;
        for (var k = 0; k < codes.Length; k++)
        {
            var valid = validity[k] is not { } bits || BitUtil.GetBit(bits, row);
            var code = valid ? (ulong)codes[k][row] : 0x5BD1E995UL;
            h = (h ^ code ^ (valid ? 0UL : 1UL << 63)) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 32;
        }
        return h;
    }

    private static bool RowsEqual(long[][] codes, byte[]?[] validity, int a, int b)
    {
        for (var k = 0; k < codes.Length; k++)
        {
            if (validity[k] is { } bits)
            {
                var av = BitUtil.GetBit(bits, a);
                if (av != BitUtil.GetBit(bits, b))
                {
                    return false;
                }
                if (!av)
                {
                    continue;
                }
            }
            if (codes[k][a] != codes[k][b])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>One code per row; equal codes (with equal validity) mean equal values.</summary>
    private static long[] Codes(ArrayData data, out byte[]? validity)
    {
        validity = Bitmaps.Validity(data);
        switch (data.Type.Id)
        {
            case ArrowTypeId.Dictionary:
                var indices = Comparison.DictionaryIndices(data);
                var codes = new long[indices.Length];
                for (var i = 0; i < codes.Length; i++)
                {
                    codes[i] = indices[i];
                }
                return codes;
            case ArrowTypeId.Null:
                return new long[data.Length];
            case ArrowTypeId.Boolean:
                var bits = Bitmaps.BooleanValues(data);
                var flags = new long[data.Length];
                for (var i = 0; i < flags.Length; i++)
                {
                    flags[i] = BitUtil.GetBit(bits, i) ? 1 : 0;
                }
                return flags;
        }
        if (data.Type.IsVariableWidth)
        {
            return Intern((VariableWidthArray)ArrowArray.Create(data), validity);
        }
        switch (NumericValues.KindOf(data.Type))
        {
            case NumericKind.Signed:
                return NumericValues.ToInt64(data);
            case NumericKind.Unsigned:
                var unsigned = NumericValues.ToUInt64(data);
                return System.Runtime.InteropServices.MemoryMarshal.Cast<ulong, long>(unsigned).ToArray();
            case NumericKind.Float:
                var doubles = NumericValues.ToDouble(data);
                var result = new long[doubles.Length];
                for (var i = 0; i < doubles.Length; i++)
                {
                    var d = doubles[i];
                    result[i] = d == 0 ? 0 : double.IsNaN(d) ? 0x7FF8000000000000L : BitConverter.DoubleToInt64Bits(d);
                }
                return result;
            default:
                throw new NotSupportedException($"cannot group by {data.Type}");
        }
    }

    /// <summary>Numbers the distinct byte strings of a column, hashing them in place.</summary>
    private static long[] Intern(VariableWidthArray array, byte[]? validity)
    {
        var length = array.Length;
        var codes = new long[length];
        var table = new int[64];
        var firstRow = new int[16];
        var hashes = new ulong[16];
        var distinct = 0;
        for (var row = 0; row < length; row++)
        {
            if (validity is not null && !BitUtil.GetBit(validity, row))
            {
                continue;
            }
            var bytes = array.GetBytes(row);
            var hasher = default(HashCode);
            hasher.AddBytes(bytes);
            var hash = (ulong)(uint)hasher.ToHashCode() * 0x9E3779B97F4A7C15UL;
            var mask = table.Length - 1;
            var slot = (int)((hash >> 32) & (ulong)mask);
            while (true)
            {
                var entry = table[slot];
                if (entry == 0)
                {
                    var code = distinct++;
                    if (code == firstRow.Length)
                    {
                        Array.Resize(ref firstRow, code * 2);
                        Array.Resize(ref hashes, code * 2);
                    }
                    firstRow[code] = row;
                    hashes[code] = hash >> 32;
                    table[slot] = code + 1;
                    codes[row] = code;
                    if (distinct * 2 > table.Length)
                    {
                        table = Rehash(table.Length * 2, hashes, distinct);
                    }
                    break;
                }
                if (hashes[entry - 1] == hash >> 32 && array.GetBytes(firstRow[entry - 1]).SequenceEqual(bytes))
                {
                    codes[row] = entry - 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        return codes;
    }
}
