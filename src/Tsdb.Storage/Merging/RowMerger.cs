using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Storage.Merging;

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
        for (var t = 0; t < tagColumns.Length; t++)
        {
            ranks[t] = TagRanks(arrays, tagColumns[t], total, sources);
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
        var order = new int[total];
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
            output[c] = BuildColumn(table.Columns[c].Kind, c, arrays, order, groupStarts, rowSource, rowIndex);
        }
        return new RecordBatch(table.Schema, output, outputRows);
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

    private static int[] TagRanks(ArrowArray?[][] arrays, int column, int total, IReadOnlyList<RecordBatch> sources)
    {
        var values = new string?[total];
        var position = 0;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < arrays.Length; s++)
        {
            var array = arrays[s][column];
            for (var i = 0; i < sources[s].Length; i++, position++)
            {
                var value = array is null || array.IsNull(i) ? null : TagValue(array, i);
                values[position] = value;
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
        for (var i = 0; i < total; i++)
        {
            ranks[i] = values[i] is { } v ? rank[v] : -1;
        }
        return ranks;
    }

    private static string TagValue(ArrowArray array, int i) => array switch
    {
        DictionaryArray d => (string)d.GetObject(i)!,
        StringArray s => s.GetString(i)!,
        _ => throw new InvalidDataException($"tag column holds {array.Type}"),
    };

    /// <summary>One output value per group: for tags and time any row's, for fields the latest non-null one.</summary>
    private static ArrowArray BuildColumn(ColumnKind kind, int column, ArrowArray?[][] arrays, int[] order, List<int> groupStarts, int[] rowSource, int[] rowIndex)
    {
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
                        b.Append(row < 0 ? null : TagValue(Source(row)!, rowIndex[row]));
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
            case ColumnKind.Float:
                return Fixed<double>(ArrowType.Float64, chosen, Source, rowIndex);
            case ColumnKind.UInteger:
                return Fixed<ulong>(ArrowType.UInt64, chosen, Source, rowIndex);
            case ColumnKind.Integer:
                return Fixed<long>(ArrowType.Int64, chosen, Source, rowIndex);
            default:
                return Fixed<long>(ArrowType.TimestampNanosecond, chosen, Source, rowIndex);
        }
    }

    private static PrimitiveArray<T> Fixed<T>(ArrowType type, int[] chosen, Func<int, ArrowArray?> source, int[] rowIndex) where T : unmanaged
    {
        using var b = new PrimitiveArrayBuilder<T>(type);
        b.Reserve(chosen.Length);
        foreach (var row in chosen)
        {
            if (row < 0)
            {
                b.AppendNull();
            }
            else
            {
                b.Append(((PrimitiveArray<T>)source(row)!).Values[rowIndex[row]]);
            }
        }
        return b.Build();
    }
}
