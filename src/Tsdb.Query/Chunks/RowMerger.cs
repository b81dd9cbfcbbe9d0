using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Query.Chunks;

/// <summary>
/// Merges batches of one table into one batch sorted by the sort key (tags, then time) with duplicates resolved:
/// rows with the same tags and time are one point, and for each field the latest non-null value wins (a later write
/// of f2 at t does not erase an earlier f1 at t). Sources are given oldest first; within a source, later rows are
/// later writes.
/// </summary>
public static class RowMerger
{
    public static RecordBatch Merge(TableColumns table, IReadOnlyList<RecordBatch> sources)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(sources);
        var columnCount = table.Columns.Count;

        // Each source's arrays in the table's column order (null where the source lacks the column).
        var arrays = new ArrowArray?[sources.Count][];
        var total = 0;
        for (var s = 0; s < sources.Count; s++)
        {
            arrays[s] = new ArrowArray?[columnCount];
            for (var c = 0; c < columnCount; c++)
            {
                arrays[s][c] = sources[s].Column(table.Columns[c].Name);
            }
            if (arrays[s][table.TimeIndex] is not TimestampArray)
            {
                throw new InvalidDataException($"a batch of the table has no timestamp column '{table.Columns[table.TimeIndex].Name}'");
            }
            total = checked(total + sources[s].Length);
        }

        // Tag values become ranks (ordinal string order, null first) so sorting compares integers.
        var tagColumns = table.SortKey.Where(i => i != table.TimeIndex).ToArray();
        var ranks = new int[tagColumns.Length][];
        var distinct = new string[tagColumns.Length][];
        for (var t = 0; t < tagColumns.Length; t++)
        {
            (ranks[t], distinct[t]) = TagRanks(arrays, tagColumns[t], total, sources);
        }
        var times = new long[total];
        var rowSource = new int[total];
        var rowIndex = new int[total];
        var position = 0;
        for (var s = 0; s < sources.Count; s++)
        {
            var values = ((TimestampArray)arrays[s][table.TimeIndex]!).Values;
            for (var i = 0; i < sources[s].Length; i++, position++)
            {
                times[position] = values[i];
                rowSource[position] = s;
                rowIndex[position] = i;
            }
        }

        // Stable order: sort key, then arrival (global position), so the last row of a duplicate group is the latest.
        var order = SortOrder(ranks, times, total);

        // Groups of equal keys.
        var groupStarts = new List<int>();
        for (var i = 0; i < total; i++)
        {
            if (i == 0 || !SameKey(order[i - 1], order[i], ranks, times))
            {
                groupStarts.Add(i);
            }
        }
        groupStarts.Add(total);

        var output = new ArrowArray[columnCount];
        var outputRows = groupStarts.Count - 1;
        for (var c = 0; c < columnCount; c++)
        {
            var tag = Array.IndexOf(tagColumns, c);
            output[c] = tag >= 0
                ? TagColumn(ranks[tag], distinct[tag], order, groupStarts)
                : BuildColumn(table.Columns[c].Kind, c, arrays, order, groupStarts, rowSource, rowIndex);
        }
        return new RecordBatch(table.Schema, output, outputRows);
    }

    /// <summary>
    /// Row positions in (tag ranks…, time, position) order. When the ranks fit in 64 bits together (the usual case:
    /// a few tags with modest cardinality) they are packed into one key and sorted as plain structs, much faster
    /// than a comparison delegate over every rank array.
    /// </summary>
    private static int[] SortOrder(int[][] ranks, long[] times, int total)
    {
        var widths = new int[ranks.Length];
        var bits = 0;
        for (var t = 0; t < ranks.Length; t++)
        {
            var max = 0;
            foreach (var r in ranks[t])
            {
                max = Math.Max(max, r + 1); // -1 (null) becomes 0
            }
            widths[t] = max == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)max);
            bits += widths[t];
        }
        var order = new int[total];
        // Few distinct keys for the rows (a persist: every series many times): bucket the rows by key, stably, and
        // sort by time only within a bucket whose rows did not arrive in time order (a time-ordered stream's never
        // do), instead of comparing every row's key, time and position: O(n) for the usual persist.
        if (bits <= MaxBucketBits && (1L << bits) <= (2L * total) + 1024)
        {
            BucketOrder(ranks, widths, times, order);
            return order;
        }
        if (bits <= 64)
        {
            var entries = new SortEntry[total];
            for (var i = 0; i < total; i++)
            {
                ulong key = 0;
                for (var t = 0; t < ranks.Length; t++)
                {
                    key = (key << widths[t]) | (uint)(ranks[t][i] + 1);
                }
                entries[i] = new SortEntry(key, times[i], i);
            }
            Array.Sort(entries);
            for (var i = 0; i < total; i++)
            {
                order[i] = entries[i].Position;
            }
            return order;
        }
        for (var i = 0; i < total; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            foreach (var rank in ranks)
            {
                var c = rank[a].CompareTo(rank[b]);
                if (c != 0)
                {
                    return c;
                }
            }
            var t = times[a].CompareTo(times[b]);
            return t != 0 ? t : a.CompareTo(b);
        });
        return order;
    }

    private const int MaxBucketBits = 24;

    /// <summary>
    /// <paramref name="order"/> := the rows in (key, time, position) order, by a stable counting sort on the packed key
    /// (at most <see cref="MaxBucketBits"/> bits) and a sort by (time, position) of each bucket not already in time order.
    /// </summary>
    private static void BucketOrder(int[][] ranks, int[] widths, long[] times, int[] order)
    {
        var total = order.Length;
        var keys = new int[total];
        var bits = 0;
        foreach (var width in widths)
        {
            bits += width;
        }
        var starts = new int[(1 << bits) + 1];
        for (var i = 0; i < total; i++)
        {
            var key = 0;
            for (var t = 0; t < ranks.Length; t++)
            {
                key = (key << widths[t]) | (ranks[t][i] + 1);
            }
            keys[i] = key;
            starts[key + 1]++;
        }
        for (var k = 1; k < starts.Length; k++)
        {
            starts[k] += starts[k - 1];
        }
        var next = (int[])starts.Clone();
        for (var i = 0; i < total; i++)
        {
            order[next[keys[i]]++] = i;
        }
        for (var k = 0; k + 1 < starts.Length; k++)
        {
            var (from, to) = (starts[k], starts[k + 1]);
            for (var j = from + 1; j < to; j++)
            {
                if (times[order[j]] < times[order[j - 1]])
                {
                    SortByTime(order.AsSpan(from, to - from), times);
                    break;
                }
            }
        }
    }

    /// <summary>Sorts row positions of one key by (time, position): the later write of a point stays last.</summary>
    private static void SortByTime(Span<int> rows, long[] times)
    {
        var entries = new TimeEntry[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            entries[i] = new TimeEntry(times[rows[i]], rows[i]);
        }
        Array.Sort(entries);
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = entries[i].Position;
        }
    }

    private readonly record struct TimeEntry(long Time, int Position) : IComparable<TimeEntry>
    {
        public int CompareTo(TimeEntry other)
        {
            var c = Time.CompareTo(other.Time);
            return c != 0 ? c : Position.CompareTo(other.Position);
        }
    }

    private readonly record struct SortEntry(ulong Key, long Time, int Position) : IComparable<SortEntry>
    {
        public int CompareTo(SortEntry other)
        {
            var c = Key.CompareTo(other.Key);
            if (c != 0)
            {
                return c;
            }
            c = Time.CompareTo(other.Time);
            return c != 0 ? c : Position.CompareTo(other.Position);
        }
    }

    private static bool SameKey(int a, int b, int[][] ranks, long[] times)
    {
        if (times[a] != times[b])
        {
            return false;
        }
        foreach (var rank in ranks)
        {
            if (rank[a] != rank[b])
            {
                return false;
            }
        }
        return true;
    }

    private static (int[] Ranks, string[] Sorted) TagRanks(ArrowArray?[][] arrays, int column, int total, IReadOnlyList<RecordBatch> sources)
    {
        // Per source, the distinct strings: a dictionary array's entries (decoded once), or each row's value.
        var perSource = new string?[arrays.Length][];
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < arrays.Length; s++)
        {
            var array = arrays[s][column];
            if (array is DictionaryArray d)
            {
                var entries = new string?[d.Dictionary.Length];
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i] = (string?)d.Dictionary.GetObject(i);
                }
                perSource[s] = entries;
            }
            else if (array is not null)
            {
                var values = new string?[array.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = array.IsNull(i) ? null : TagValue(array, i);
                }
                perSource[s] = values;
            }
            foreach (var value in perSource[s] ?? [])
            {
                if (value is not null)
                {
                    distinct.Add(value);
                }
            }
        }
        var sorted = distinct.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        var rank = new Dictionary<string, int>(sorted.Length, StringComparer.Ordinal);
        for (var i = 0; i < sorted.Length; i++)
        {
            rank[sorted[i]] = i;
        }
        var ranks = new int[total];
        var position = 0;
        for (var s = 0; s < arrays.Length; s++)
        {
            var array = arrays[s][column];
            var strings = perSource[s];
            if (array is DictionaryArray d)
            {
                // Rank each dictionary entry once, then each row through its index.
                var entryRanks = new int[strings!.Length];
                for (var i = 0; i < entryRanks.Length; i++)
                {
                    entryRanks[i] = strings[i] is { } v ? rank[v] : -1;
                }
                for (var i = 0; i < sources[s].Length; i++, position++)
                {
                    ranks[position] = d.IsNull(i) ? -1 : entryRanks[d.GetIndex(i)];
                }
            }
            else
            {
                for (var i = 0; i < sources[s].Length; i++, position++)
                {
                    ranks[position] = strings?[i] is { } v ? rank[v] : -1;
                }
            }
        }
        return (ranks, sorted);
    }

    private static string TagValue(ArrowArray array, int i) => array switch
    {
        DictionaryArray d => (string)d.GetObject(i)!,
        StringArray s => s.GetString(i)!,
        _ => throw new InvalidDataException($"tag column holds {array.Type}"),
    };

    /// <summary>
    /// A tag column needs no lookups: a group's rows share their tag values, and a value's rank is its index in the
    /// sorted distinct values, which become the dictionary.
    /// </summary>
    private static DictionaryArray TagColumn(int[] ranks, string[] sorted, int[] order, List<int> groupStarts)
    {
        using var values = new VariableWidthArrayBuilder(ArrowType.Utf8);
        foreach (var value in sorted)
        {
            values.Append(value);
        }
        var dictionary = values.BuildData();
        using var indices = new PrimitiveArrayBuilder<int>(ArrowType.Int32);
        var groups = groupStarts.Count - 1;
        indices.Reserve(groups);
        for (var g = 0; g < groups; g++)
        {
            var rank = ranks[order[groupStarts[g]]];
            if (rank < 0)
            {
                indices.AppendNull();
            }
            else
            {
                indices.Append(rank);
            }
        }
        var indexData = indices.BuildData();
        return new DictionaryArray(new ArrayData(ColumnTypes.Of(ColumnKind.Tag), groups, indexData.NullCount, indexData.Buffers, dictionary: dictionary));
    }

    /// <summary>One output value per group: for time any row's, for fields the latest non-null one.</summary>
    private static ArrowArray BuildColumn(ColumnKind kind, int column, ArrowArray?[][] arrays, int[] order, List<int> groupStarts, int[] rowSource, int[] rowIndex)
    {
        switch (kind)
        {
            case ColumnKind.Float:
                return FixedColumn<double>(ColumnTypes.Of(kind), column, arrays, order, groupStarts);
            case ColumnKind.UInteger:
                return FixedColumn<ulong>(ColumnTypes.Of(kind), column, arrays, order, groupStarts);
            case ColumnKind.Integer:
                return FixedColumn<long>(ColumnTypes.Of(kind), column, arrays, order, groupStarts);
            case ColumnKind.Time:
                return FixedColumn<long>(ColumnTypes.Of(kind), column, arrays, order, groupStarts);
        }
        var groups = groupStarts.Count - 1;
        // The row that supplies the value of each group, or -1 for null.
        var chosen = new int[groups];
        for (var g = 0; g < groups; g++)
        {
            chosen[g] = -1;
            for (var k = groupStarts[g + 1] - 1; k >= groupStarts[g]; k--)
            {
                var row = order[k];
                var array = arrays[rowSource[row]][column];
                if (array is not null && !array.IsNull(rowIndex[row]))
                {
                    chosen[g] = row;
                    break;
                }
            }
        }
        ArrowArray? Source(int row) => row < 0 ? null : arrays[rowSource[row]][column];
        switch (kind)
        {
            case ColumnKind.Tag:
                {
                    using var b = new DictionaryArrayBuilder();
                    foreach (var row in chosen)
                    {
                        switch (Source(row))
                        {
                            case null:
                                b.AppendNull();
                                break;
                            case DictionaryArray d:
                                b.Append(((VariableWidthArray)d.Dictionary).GetBytes((int)d.GetIndex(rowIndex[row])));
                                break;
                            case VariableWidthArray v:
                                b.Append(v.GetBytes(rowIndex[row]));
                                break;
                            case var other:
                                throw new InvalidDataException($"tag column holds {other.Type}");
                        }
                    }
                    return b.Build();
                }
            case ColumnKind.String:
                {
                    using var b = new VariableWidthArrayBuilder(ArrowType.Utf8);
                    foreach (var row in chosen)
                    {
                        if (row < 0)
                        {
                            b.AppendNull();
                        }
                        else
                        {
                            b.Append(((StringArray)Source(row)!).GetBytes(rowIndex[row]));
                        }
                    }
                    return b.Build();
                }
            case ColumnKind.Boolean:
                {
                    using var b = new BooleanArrayBuilder();
                    foreach (var row in chosen)
                    {
                        b.Append(row < 0 ? null : ((BooleanArray)Source(row)!).GetValue(rowIndex[row]));
                    }
                    return b.Build();
                }
            default:
                throw new InvalidOperationException($"no column builder for {kind}");
        }
    }

    /// <summary>
    /// A fixed-width column, gathered columnar: every source's values and validity are laid out by arrival position
    /// once, then read through the sort order (and, for duplicate groups, from the latest valid row).
    /// </summary>
    private static PrimitiveArray<T> FixedColumn<T>(ArrowType type, int column, ArrowArray?[][] arrays, int[] order, List<int> groupStarts) where T : unmanaged
    {
        var total = order.Length;
        var values = GC.AllocateUninitializedArray<T>(total);
        var valid = new bool[total];
        var position = 0;
        foreach (var source in arrays)
        {
            var array = source[column];
            var length = source.Length == 0 ? 0 : RowsOf(source);
            if (array is PrimitiveArray<T> primitive)
            {
                primitive.Values.CopyTo(values.AsSpan(position));
                if (primitive.NullCount == 0)
                {
                    valid.AsSpan(position, length).Fill(true);
                }
                else
                {
                    for (var i = 0; i < length; i++)
                    {
                        valid[position + i] = !primitive.IsNull(i);
                    }
                }
            }
            position += length;
        }
        var groups = groupStarts.Count - 1;
        using var b = new PrimitiveArrayBuilder<T>(type);
        b.Reserve(groups);
        if (groups == total)
        {
            foreach (var row in order)
            {
                if (valid[row])
                {
                    b.Append(values[row]);
                }
                else
                {
                    b.AppendNull();
                }
            }
            return b.Build();
        }
        for (var g = 0; g < groups; g++)
        {
            var found = false;
            for (var k = groupStarts[g + 1] - 1; k >= groupStarts[g]; k--)
            {
                var row = order[k];
                if (valid[row])
                {
                    b.Append(values[row]);
                    found = true;
                    break;
                }
            }
            if (!found)
            {
                b.AppendNull();
            }
        }
        return b.Build();
    }

    /// <summary>Rows of a source: the length of its time column, which every source has.</summary>
    private static int RowsOf(ArrowArray?[] source)
    {
        foreach (var array in source)
        {
            if (array is not null)
            {
                return array.Length;
            }
        }
        return 0;
    }
}
